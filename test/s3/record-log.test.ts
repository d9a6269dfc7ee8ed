// The record log of disk storage (record-log.ts): object and upload records live in it, in
// segment files and compactions' base files. Writes are acknowledged once appended; a store
// opened again without being closed (a crash) has exactly what was acknowledged; no file is
// created per record; compactions keep every current record and drop what is overwritten.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { startS3Server } from '../../stack/s3/server.ts';
import { bufferStream } from '../../stack/s3/storage/buffer-stream.ts';
import { type DiskOptions, diskBackends } from '../../stack/s3/storage/disk-backend.ts';
import { encodeRecordFile } from '../../stack/s3/storage/record-file.ts';
import { FRAME_HEADER, sealFrame } from '../../stack/s3/storage/record-frame.ts';
import { RecordLog } from '../../stack/s3/storage/record-log.ts';
import {
  ENTRIES_AT,
  encodeHeader,
  entrySize,
  OP_RETIRE,
  OP_WRITE,
  putEntry,
  readEntries,
  readHeader,
} from '../../stack/s3/storage/record-log-format.ts';
import { Store } from '../../stack/s3/storage/store.ts';
import { client, objectRecord, ROOT } from './fixtures.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function open(dir: string, options: DiskOptions = {}): Promise<Store> {
  return Store.open(await diskBackends(dir, options));
}

async function freshStore(options: DiskOptions = {}): Promise<{ dir: string; store: Store }> {
  const dir = await tempDir('record-log-');
  const store = await open(dir, options);
  await store.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
  return { dir, store };
}

async function put(store: Store, key: string, body: string | Buffer): Promise<void> {
  const bytes = Buffer.from(body);
  const blob = await store.writeBlob(bufferStream(bytes), bytes.length);
  await store.commitObject('b', key, () => ({ ...objectRecord(key, [blob]), size: bytes.length }));
}

/** An upload record in bucket b, with no parts. */
async function createUpload(store: Store, uploadId: string): Promise<void> {
  await store.createUpload({
    uploadId,
    bucket: 'b',
    key: 'big',
    initiated: 0,
    initiator: 'root',
    meta: { key: 'big', contentType: 'application/octet-stream', userMeta: {}, blobs: [] } as never,
    parts: {},
  });
}

function text(store: Store, key: string): string | undefined {
  const rec = store.head('b', key);
  return rec && store.bytes(rec, 0, rec.size - 1)!.toString();
}

const logDir = (dir: string) => join(dir, 'meta', 'log');
const logFiles = async (dir: string) => (await readdir(logDir(dir))).sort();

/** A log file's header and its entries of the header's generation. */
async function logFile(path: string) {
  const file = await readFile(path);
  const header = readHeader(file);
  return { header, entries: header ? readEntries(file, header) : [], file };
}

/** Every file under `dir`, relative to it. */
async function allFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/** A segment file of generation `gen` holding `entries`, stamped with `stamp` (default: its own). */
function segment(
  gen: number,
  salt: number,
  entries: { op?: 1 | 2; path: string; payload?: Buffer; stamp?: { gen: number; salt: number } }[],
): Buffer {
  const size = entries.reduce((n, e) => n + entrySize(Buffer.byteLength(e.path), e.payload?.length ?? 0), 0);
  const file = Buffer.alloc(ENTRIES_AT + size);
  file.set(encodeHeader({ gen, salt, applied: false }), 0);
  let at = ENTRIES_AT;
  for (const e of entries) {
    at = putEntry(
      file,
      at,
      e.stamp ?? { gen, salt },
      e.op ?? OP_WRITE,
      Buffer.from(e.path),
      e.payload ? [e.payload] : [],
    );
  }
  return file;
}

describe('record log under the store', () => {
  it('acknowledges writes from the log, and a store opened again after a crash has them all', async () => {
    const { dir, store } = await freshStore();
    for (let i = 0; i < 20; i++) await put(store, `k${i}`, `value ${i}`);
    await put(store, 'k3', 'value 3, second');
    await store.deleteObject('b', 'k4');
    // One segment file holds every change; no record has a file of its own.
    expect(await logFiles(dir)).toEqual(['seg-1.log']);
    const log = await logFile(join(logDir(dir), 'seg-1.log'));
    expect(log.entries.map((e) => e.op)).toEqual([...Array(21).fill(OP_WRITE), OP_RETIRE]);
    expect(log.entries[0]!.path).toMatch(/^meta\/objects\/b\/[0-9a-f]{2}\/[0-9a-f]{64}\.json$/);
    expect(
      (await allFiles(join(dir, 'meta'))).filter((f) => !f.startsWith('log/') && !f.startsWith('buckets/')),
    ).toEqual([]);
    // A crash: the first store is never closed.
    const again = await open(dir);
    expect(again.keys('b').length).toBe(19);
    expect(text(again, 'k0')).toBe('value 0');
    expect(text(again, 'k3')).toBe('value 3, second');
    expect(again.head('b', 'k4')).toBeUndefined();
    await again.close();
  });

  it('after close, writes are refused; the next open appends to a new segment, and both replay', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'a', 'one');
    await store.close();
    await expect(put(store, 'c', 'late')).rejects.toThrow(/closed/);
    const again = await open(dir);
    expect(text(again, 'a')).toBe('one');
    await put(again, 'a', 'one, again');
    await put(again, 'b', 'two');
    // Never after the tail of an earlier run's segment: a new file, a higher generation.
    expect(await logFiles(dir)).toEqual(['seg-1.log', 'seg-2.log']);
    expect((await logFile(join(logDir(dir), 'seg-2.log'))).header).toMatchObject({ gen: 2 });
    await again.close();
    const third = await open(dir);
    expect(['a', 'b'].map((k) => text(third, k))).toEqual(['one, again', 'two']);
    await third.close();
  });

  it('replays up to an entry a crash tore, and drops that one', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'first', 'kept');
    await put(store, 'second', 'x'.repeat(3000));
    const path = join(logDir(dir), 'seg-1.log');
    const { entries, file } = await logFile(path);
    const last = entries.at(-1)!.payload;
    const end = last.byteOffset - file.byteOffset + last.length;
    // The last entry cut short, as a power cut mid-append leaves it (never acknowledged).
    await truncate(path, end - 100);
    const again = await open(dir);
    expect(text(again, 'first')).toBe('kept');
    expect(again.head('b', 'second')).toBeUndefined();
    // Later writes go to a new segment, never after the torn entry.
    await put(again, 'third', 'after');
    const fourth = await open(dir);
    expect(fourth.keys('b')).toEqual(['first', 'third']);
    await fourth.close();
    await again.close();
  });

  it('removes a segment whose first append a crash tore (its header is not whole)', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'k', 'v');
    await store.close();
    await writeFile(join(logDir(dir), 'seg-7.log'), Buffer.alloc(ENTRIES_AT + 100, 0xab));
    const again = await open(dir);
    expect(text(again, 'k')).toBe('v');
    expect(await logFiles(dir)).toEqual(['seg-1.log']);
    // Generations stay above every name seen, torn or not.
    await put(again, 'k2', 'v2');
    expect(await logFiles(dir)).toEqual(['seg-1.log', 'seg-8.log']);
    await again.close();
  });

  it('seals a full segment and takes a new one; a crash after that loses nothing', async () => {
    const { dir, store } = await freshStore({ segmentBytes: 16 * 1024, compactBytes: 2 ** 40 });
    const body = (i: number, round: number) => `${round}:${i}:`.padEnd(1500, '.');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 25; i++) await put(store, `k${i}`, body(i, round));
    }
    const files = await logFiles(dir);
    expect(files.length).toBeGreaterThan(5);
    expect(files.every((f) => /^seg-\d+\.log$/.test(f))).toBe(true);
    const again = await open(dir);
    for (let i = 0; i < 25; i++) expect(text(again, `k${i}`)).toBe(body(i, 2));
    await again.close();
  });

  it('a DeleteBucket leaves nothing behind: the bucket comes back empty when re-created', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'k', 'v');
    await store.deleteObject('b', 'k');
    await store.deleteBucket('b');
    await store.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
    await put(store, 'new', 'after');
    const again = await open(dir);
    expect(again.keys('b')).toEqual(['new']);
    expect(text(again, 'new')).toBe('after');
    await again.close();
  });

  it('keeps multipart upload records in the log too', async () => {
    const { dir, store } = await freshStore();
    await createUpload(store, 'u1');
    const again = await open(dir);
    expect(again.listUploads('b').map((u) => u.uploadId)).toEqual(['u1']);
    await again.abortUpload('u1');
    const third = await open(dir);
    expect(third.listUploads('b')).toEqual([]);
    await third.close();
  });

  it('ignores entries of another generation, or of the same one under another salt', async () => {
    const dir = await tempDir('record-log-');
    const store = await open(dir);
    await store.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
    await store.close();
    const payload = Buffer.concat(encodeRecordFile({ ...objectRecord('ghost', []), size: 0 }));
    const path = 'meta/objects/b/00/ghost.json';
    // Generation 5, salt 7: an entry of generation 4 (salt 7), then one of generation 5 under
    // salt 8 (a generation number handed out twice).
    for (const stamp of [
      { gen: 4, salt: 7 },
      { gen: 5, salt: 8 },
    ]) {
      await writeFile(join(logDir(dir), 'seg-5.log'), segment(5, 7, [{ path, payload, stamp }]));
      const again = await open(dir);
      expect(again.keys('b')).toEqual([]);
      await again.close();
    }
    // The same entry under the header's own stamp is replayed: the check above can fail.
    await writeFile(join(logDir(dir), 'seg-5.log'), segment(5, 7, [{ path, payload }]));
    const replayed = await open(dir);
    expect(replayed.keys('b')).toEqual(['ghost']);
    await replayed.close();
  });

  it('after a failed append, later writes go to a new segment and survive a crash', async () => {
    const { dir, store } = await freshStore();
    // The first segment cannot be created (a directory in its place).
    await mkdir(join(logDir(dir), 'seg-1.log'));
    await expect(put(store, 'lost', 'never acknowledged')).rejects.toMatchObject({ code: 'EEXIST' });
    await put(store, 'kept', 'acknowledged');
    expect(await logFiles(dir)).toEqual(['seg-1.log', 'seg-2.log']);
    // A crash; the obstacle gone by the next start.
    await rm(join(logDir(dir), 'seg-1.log'), { recursive: true });
    const again = await open(dir);
    expect(again.keys('b')).toEqual(['kept']);
    expect(text(again, 'kept')).toBe('acknowledged');
    await again.close();
  });

  it('a failed upload abort keeps the upload listed, and its retry removes it for good', async () => {
    // One segment per append, so each append opens a file; meta/log swapped for a plain file
    // makes that fail (ENOTDIR).
    const { dir, store } = await freshStore({ segmentBytes: 1 });
    await createUpload(store, 'u1');
    await rm(logDir(dir), { recursive: true, force: true });
    await writeFile(logDir(dir), '');
    await expect(store.abortUpload('u1')).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(store.listUploads('b').map((u) => u.uploadId)).toEqual(['u1']);
    await rm(logDir(dir));
    await mkdir(logDir(dir));
    await store.abortUpload('u1');
    expect(store.listUploads('b')).toEqual([]);
    await store.close();
  });

  it('a bucket whose record cannot be read keeps its objects and their blobs; created again, it has them', async () => {
    const { dir, store } = await freshStore();
    const big = Buffer.alloc(200 * 1024, 7);
    await put(store, 'big', big);
    await put(store, 'small', 'inline');
    await store.close();
    // A whole frame whose payload is not a bucket record (e.g. written by a later version).
    const payload = Buffer.from('not json');
    const frame = Buffer.alloc(FRAME_HEADER + payload.length);
    payload.copy(frame, FRAME_HEADER);
    sealFrame(frame, payload.length, 99);
    await writeFile(join(dir, 'meta', 'buckets', 'b.json'), frame);
    await rm(join(dir, 'meta', 'buckets', 'b.json.1'), { force: true });
    const blobsBefore = (await allFiles(join(dir, 'blobs'))).length;
    const again = await open(dir);
    expect(again.bucket('b')).toBeUndefined();
    expect((await allFiles(join(dir, 'blobs'))).length).toBe(blobsBefore);
    expect(blobsBefore).toBe(1);
    // What was written to the record file's place is the operator's call; here, the bucket is
    // created again, and its objects are whole.
    await rm(join(dir, 'meta', 'buckets', 'b.json'));
    await again.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
    await again.close();
    const third = await open(dir);
    expect(third.keys('b')).toEqual(['big', 'small']);
    const rec = third.head('b', 'big')!;
    const chunks: Buffer[] = [];
    for await (const c of third.read(rec, 0, rec.size - 1)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
    expect(text(third, 'small')).toBe('inline');
    await third.close();
  });

  it('retires, at open, the records of a bucket whose record is gone: objects and uploads', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'k', 'v');
    await createUpload(store, 'u1');
    await store.close();
    // A DeleteBucket a crash cut short after its record went (or a hand that removed it).
    await rm(join(dir, 'meta', 'buckets'), { recursive: true });
    await mkdir(join(dir, 'meta', 'buckets'));
    const again = await open(dir);
    await again.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
    await again.close();
    const third = await open(dir);
    expect(third.keys('b')).toEqual([]);
    expect(third.listUploads('b')).toEqual([]);
    await third.close();
  });

  it('leaves out, with a warning, a record the log names under no bucket or object path', async () => {
    const { dir, store } = await freshStore();
    await store.close();
    const payload = Buffer.concat(encodeRecordFile({ ...objectRecord('x', []), size: 0 }));
    const paths = [
      '../escaped.json',
      'meta/objects/b/../../../x.json',
      '/tmp/abs.json',
      'meta/objects/b/00/ok.json',
    ];
    await writeFile(
      join(logDir(dir), 'seg-2.log'),
      segment(
        2,
        1,
        paths.map((path) => ({ path, payload })),
      ),
    );
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(`${w.code} ${w.message}`);
    process.on('warning', onWarning);
    const before = await allFiles(dir);
    try {
      const again = await open(dir);
      expect(again.keys('b')).toEqual(['x']);
      await again.close();
      // Warnings are emitted on a later tick.
      await new Promise(setImmediate);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([
      expect.stringMatching(/^S3_STORAGE_UNREADABLE_RECORD .*: 3 record\(s\) could not be read/),
    ]);
    // Names only: nothing was written anywhere for them.
    expect(await allFiles(dir)).toEqual(before);
  });
});

describe('record log under the server', () => {
  it('keeps every PUT across a stop and start, with no file per object', async () => {
    const dir = await tempDir('record-log-server-');
    const start = () => startS3Server({ identities: [ROOT], storage: { type: 'disk', dir } });
    const server = await start();
    const s3 = client(server.url);
    try {
      await server.createBucket('logged');
      const before = (await allFiles(dir)).length;
      for (let i = 0; i < 40; i++) {
        await s3.send(new PutObjectCommand({ Bucket: 'logged', Key: `k${i}`, Body: `v${i}` }));
      }
      // Bodies this small live in their records, and records in the log: one segment.
      expect((await allFiles(dir)).length).toBe(before + 1);
    } finally {
      s3.destroy();
      await server.stop();
    }
    const again = await start();
    try {
      expect(again.listObjects('logged').map((o) => o.key).length).toBe(40);
      expect((await again.getObject('logged', 'k7'))?.body.toString()).toBe('v7');
    } finally {
      await again.stop();
    }
  });
});

describe('RecordLog', () => {
  async function fresh(options: { segmentBytes?: number; compactBytes?: number } = {}) {
    const dir = await tempDir('record-log-unit-');
    const log = new RecordLog(dir, options);
    log.open();
    return { dir, log, reopen: () => new RecordLog(dir, options) };
  }

  const contents = (map: Map<string, Buffer>) =>
    Object.fromEntries([...map].map(([k, v]) => [k, v.toString()]));

  it('group-commits writes that arrive together: fewer appends than writes, each acknowledged', async () => {
    const { log, reopen } = await fresh();
    await Promise.all(Array.from({ length: 32 }, (_, i) => log.write(`r${i}`, [Buffer.from(`v${i}`)])));
    expect(log.stats.appends).toBeGreaterThan(0);
    expect(log.stats.appends).toBeLessThan(32);
    await log.close();
    const map = reopen().open();
    expect(map.size).toBe(32);
    expect(map.get('r31')!.toString()).toBe('v31');
  });

  it('refuses writes before open(): their segment could be one a base already covers', async () => {
    const dir = await tempDir('record-log-unit-');
    const log = new RecordLog(dir);
    await expect(log.write('r', [Buffer.from('v')])).rejects.toMatchObject({ code: 'ESTORENOTOPEN' });
    expect(await readdir(dir)).toEqual([]);
    log.open();
    await log.write('r', [Buffer.from('v')]);
    await log.close();
  });

  it('opens to the latest payload of each record, and without those removed', async () => {
    const { log, reopen } = await fresh();
    await log.write('a', [Buffer.from('1')]);
    await log.write('b', [Buffer.from('x'), Buffer.from('y')]);
    await log.write('a', [Buffer.from('2')]);
    await log.retire('b');
    await log.write('c', [Buffer.from('3')]);
    await log.retire('never-written');
    await log.close();
    expect(contents(reopen().open())).toEqual({ a: '2', c: '3' });
  });

  it('a compaction copies the current records into one base and removes the files it covers', async () => {
    const { dir, log, reopen } = await fresh({ segmentBytes: 16 * 1024, compactBytes: 2 ** 40 });
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 20; i++) await log.write(`r${i}`, [Buffer.from(`${round}:${i}:`.padEnd(700, '-'))]);
    }
    await log.retire('r0');
    const sealed = log.files().filter((f) => !f.active);
    expect(sealed.length).toBeGreaterThan(3);
    await log.compact();
    expect(log.stats.compactions).toBe(1);
    const files = log.files();
    expect(files[0]).toMatchObject({ name: expect.stringMatching(/^base-\d+\.log$/), active: false });
    // All of the base is live: only current records were copied.
    expect(files[0]!.live).toBe(files[0]!.bytes);
    expect(files.filter((f) => !f.active).length).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(files.map((f) => f.name).sort());
    await log.close();
    const map = reopen().open();
    expect(map.size).toBe(19);
    expect(map.has('r0')).toBe(false);
    for (let i = 1; i < 20; i++) expect(map.get(`r${i}`)!.toString()).toBe(`3:${i}:`.padEnd(700, '-'));
  });

  it('compacts on its own once sealed files hold as much garbage as live records', async () => {
    const { dir, log, reopen } = await fresh({ segmentBytes: 16 * 1024, compactBytes: 16 * 1024 });
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 5; i++) await log.write(`r${i}`, [Buffer.from(`${round}:${i}:`.padEnd(900, '-'))]);
    }
    await log.settled();
    expect(log.stats.compactions).toBeGreaterThan(0);
    // 135 KB written over 5 records of ~1 KB: what is left is a few files, not seventeen.
    expect((await readdir(dir)).length).toBeLessThan(6);
    await log.close();
    const map = reopen().open();
    expect(contents(map)).toEqual(
      Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`r${i}`, `29:${i}:`.padEnd(900, '-')])),
    );
  });

  it('writes made while a compaction runs stay current', async () => {
    const { log, reopen } = await fresh({ segmentBytes: 8 * 1024, compactBytes: 2 ** 40 });
    for (let i = 0; i < 40; i++) await log.write(`r${i}`, [Buffer.from(`old ${i}`.padEnd(300, '.'))]);
    const compaction = log.compact();
    const writes = Array.from({ length: 40 }, (_, i) =>
      i % 2 ? log.write(`r${i}`, [Buffer.from(`new ${i}`)]) : log.retire(`r${i}`),
    );
    await Promise.all([compaction, ...writes]);
    await log.compact();
    await log.close();
    const map = reopen().open();
    expect(map.size).toBe(20);
    for (let i = 1; i < 40; i += 2) expect(map.get(`r${i}`)!.toString()).toBe(`new ${i}`);
  });

  it('after a crash mid-compaction: an unfinished base is removed, a finished one wins over what it covers', async () => {
    const { dir, log, reopen } = await fresh({ segmentBytes: 8 * 1024, compactBytes: 2 ** 40 });
    for (let i = 0; i < 30; i++) await log.write(`r${i}`, [Buffer.from(`v${i}`.padEnd(300, '.'))]);
    const covered = log.files().filter((f) => !f.active);
    const saved = await tempDir('record-log-saved-');
    for (const f of covered) await copyFile(join(dir, f.name), join(saved, f.name));
    await log.compact();
    // Retired after the compaction: in a segment newer than the base.
    await log.retire('r1');
    await log.write('r2', [Buffer.from('newer')]);
    const [base] = log.files();
    await log.close();
    // The removals a crash cut short: the covered files are back. And a base being written.
    for (const f of covered) await copyFile(join(saved, f.name), join(dir, f.name));
    await writeFile(
      join(dir, `${base!.name.replace('.log', '.tmp').replace(/\d+/, (n) => String(Number(n) + 50))}`),
      'partial',
    );
    const again = reopen();
    const map = again.open();
    expect(map.size).toBe(29);
    expect(map.has('r1')).toBe(false);
    expect(map.get('r2')!.toString()).toBe('newer');
    expect(map.get('r29')!.toString()).toBe('v29'.padEnd(300, '.'));
    // Only the base and the newer segment remain.
    expect((await readdir(dir)).sort()).toEqual(
      again
        .files()
        .map((f) => f.name)
        .sort(),
    );
    expect(again.files().length).toBe(2);
    await again.close();
  });

  it('close during a compaction abandons it: no partial base is left, and nothing is lost', async () => {
    const { dir, log, reopen } = await fresh({ segmentBytes: 64 * 1024, compactBytes: 2 ** 40 });
    for (let i = 0; i < 400; i++) await log.write(`r${i}`, [Buffer.alloc(2000, i % 251)]);
    const before = (await readdir(dir)).sort();
    const compaction = log.compact();
    await log.close();
    await compaction;
    // Abandoned, not finished: no compaction counted, the files exactly as they were.
    expect(log.stats.compactions).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(before);
    const map = reopen().open();
    expect(map.size).toBe(400);
    expect(map.get('r399')!.equals(Buffer.alloc(2000, 399 % 251))).toBe(true);
  });

  it('a lone base compacted again (its keys overwritten since) keeps what it holds', async () => {
    const { log, reopen } = await fresh({ segmentBytes: 16 * 1024, compactBytes: 2 ** 40 });
    for (let i = 0; i < 10; i++) await log.write(`r${i}`, [Buffer.from(`v${i}`.padEnd(1000, '.'))]);
    // Too large for what is left of the first segment: it is sealed, and becomes the base.
    await log.write('big', [Buffer.alloc(3000, 1)]);
    await log.compact();
    // Overwrites in the active segment (not sealed): garbage in the base, the only sealed file.
    for (let i = 0; i < 3; i++) await log.write(`r${i}`, [Buffer.from(`w${i}`.padEnd(1000, '.'))]);
    expect(
      log
        .files()
        .filter((f) => !f.active)
        .map((f) => f.name),
    ).toEqual(['base-1.log']);
    await log.compact();
    expect(log.stats.compactions).toBe(2);
    await log.close();
    const map = reopen().open();
    expect(map.size).toBe(11);
    expect(map.get('r9')!.toString()).toBe('v9'.padEnd(1000, '.'));
    expect(map.get('r0')!.toString()).toBe('w0'.padEnd(1000, '.'));
  });

  it('trusts no odd file in its directory: directories, links and bases without a header are left alone', async () => {
    const { dir, log, reopen } = await fresh();
    for (let i = 0; i < 5; i++) await log.write(`r${i}`, [Buffer.from(`v${i}`)]);
    await log.close();
    await mkdir(join(dir, 'base-7.tmp'));
    await mkdir(join(dir, 'seg-0.log'));
    await writeFile(join(dir, 'base-99.log'), 'not a base');
    const outside = await tempDir('record-log-outside-');
    await writeFile(join(outside, 'precious'), 'precious bytes');
    const { symlink } = await import('node:fs/promises');
    await symlink(join(outside, 'precious'), join(dir, 'base-98.tmp'));
    const again = reopen();
    expect(again.hasFiles()).toBe(true);
    const map = again.open();
    expect(map.size).toBe(5);
    // Left where they were; the base without a header covers nothing.
    expect((await readdir(dir)).sort()).toEqual([
      'base-7.tmp',
      'base-98.tmp',
      'base-99.log',
      'seg-0.log',
      'seg-1.log',
    ]);
    expect(await readFile(join(outside, 'precious'), 'utf8')).toBe('precious bytes');
    await again.close();
  });

  it('counts only whole log files as a log: a directory under a log name is not one', async () => {
    const dir = await tempDir('record-log-unit-');
    await mkdir(join(dir, 'seg-1.log'));
    await writeFile(join(dir, 'seg-2.log'), Buffer.alloc(100));
    expect(new RecordLog(dir).hasFiles()).toBe(false);
  });

  it('a base written where a link stands replaces the link, and never writes through it', async () => {
    const dir = await tempDir('record-log-unit-');
    const outside = await tempDir('record-log-outside-');
    await writeFile(join(outside, 'precious'), 'precious bytes');
    const { symlink } = await import('node:fs/promises');
    await symlink(join(outside, 'precious'), join(dir, 'base-1.tmp'));
    const log = new RecordLog(dir);
    await log.importBase(new Map([['r', Buffer.from('v')]]));
    expect(await readFile(join(outside, 'precious'), 'utf8')).toBe('precious bytes');
    expect(log.open().get('r')!.toString()).toBe('v');
    await log.close();
  });

  it('compacts the segments many short runs left behind, even when each run closes at once', async () => {
    const dir = await tempDir('record-log-unit-');
    let most = 0;
    for (let run = 0; run < 40; run++) {
      const log = new RecordLog(dir);
      log.open();
      await log.write(`run${run}`, [Buffer.from(String(run))]);
      // A compaction started because files piled up runs to its end through the close.
      await log.close();
      most = Math.max(most, (await readdir(dir)).length);
    }
    // More than 16 sealed files start one; without finishing it, they grew by one a run.
    expect(most).toBeLessThanOrEqual(18);
    const log = new RecordLog(dir);
    const map = log.open();
    await log.settled();
    expect(map.size).toBe(40);
    expect(map.get('run39')!.toString()).toBe('39');
    expect((await readdir(dir)).filter((f) => /^base-\d+\.log$/.test(f)).length).toBe(1);
    await log.close();
  });
});
