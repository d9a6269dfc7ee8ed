// The record log of disk storage (record-log.ts): writes are acknowledged from the log, reach
// the record files at checkpoints (a full log file, DeleteBucket, close), and a store opened
// again without being closed (a crash) replays exactly what was acknowledged.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { startS3Server } from '../../stack/s3/server.ts';
import { bufferStream } from '../../stack/s3/storage/buffer-stream.ts';
import { type DiskOptions, diskBackends } from '../../stack/s3/storage/disk-backend.ts';
import { encodeRecordFile } from '../../stack/s3/storage/record-file.ts';
import { RecordLog } from '../../stack/s3/storage/record-log.ts';
import {
  ENTRIES_AT,
  encodeHeader,
  entrySize,
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

async function open(dir: string, options: DiskOptions = {}): Promise<Store> {
  return Store.open(await diskBackends(dir, options));
}

async function freshStore(options: DiskOptions = {}): Promise<{ dir: string; store: Store }> {
  const dir = await mkdtemp(join(tmpdir(), 'record-log-'));
  dirs.push(dir);
  const store = await open(dir, options);
  await store.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
  return { dir, store };
}

async function put(store: Store, key: string, body: string | Buffer): Promise<void> {
  const bytes = Buffer.from(body);
  const blob = await store.writeBlob(bufferStream(bytes), bytes.length);
  await store.commitObject('b', key, () => ({ ...objectRecord(key, [blob]), size: bytes.length }));
}

function text(store: Store, key: string): string | undefined {
  const rec = store.head('b', key);
  return rec && store.bytes(rec, 0, rec.size - 1)!.toString();
}

/** The object record files of a bucket (slot files), as names under its fan-out dirs. */
async function recordFiles(dir: string, bucket = 'b'): Promise<string[]> {
  const bucketDir = join(dir, 'meta', 'objects', bucket);
  const out: string[] = [];
  for (const fan of await readdir(bucketDir).catch(() => [])) {
    for (const f of await readdir(join(bucketDir, fan))) out.push(join(fan, f));
  }
  return out.sort();
}

const logPath = (dir: string, i: 0 | 1) => join(dir, 'meta', `records.log.${i}`);

/** A log file's header and its entries of the header's generation (none if no file). */
async function logFile(dir: string, i: 0 | 1) {
  const file = await readFile(logPath(dir, i)).catch(() => undefined);
  const header = file && readHeader(file);
  return { header, entries: file && header ? readEntries(file, header) : [], file };
}

describe('record log', () => {
  it('acknowledges writes from the log, and a store opened again after a crash has them all', async () => {
    const { dir, store } = await freshStore();
    for (let i = 0; i < 20; i++) await put(store, `k${i}`, `value ${i}`);
    await put(store, 'k3', 'value 3, second');
    await store.deleteObject('b', 'k4');
    // Nothing in the record files yet: it is all in the log, not yet applied.
    expect(await recordFiles(dir)).toEqual([]);
    const log = await logFile(dir, 0);
    expect(log.header).toMatchObject({ gen: 1, applied: false });
    expect(log.entries.map((e) => e.op)).toEqual([...Array(21).fill(OP_WRITE), 2]);
    // A crash: the first store is never closed.
    const again = await open(dir);
    expect(again.keys('b').length).toBe(19);
    expect(text(again, 'k0')).toBe('value 0');
    expect(text(again, 'k3')).toBe('value 3, second');
    expect(again.head('b', 'k4')).toBeUndefined();
    // The replay wrote the record files and marked the log applied.
    expect((await recordFiles(dir)).length).toBe(19);
    expect((await logFile(dir, 0)).header).toMatchObject({ gen: 1, applied: true });
    await again.close();
  });

  it('close applies the log, and the next open has nothing to replay', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'a', 'one');
    await put(store, 'b', 'two');
    await store.close();
    expect((await recordFiles(dir)).length).toBe(2);
    expect((await logFile(dir, 0)).header).toMatchObject({ gen: 1, applied: true });
    await expect(put(store, 'c', 'late')).rejects.toThrow(/closed/);
    const again = await open(dir);
    expect(text(again, 'a')).toBe('one');
    expect(text(again, 'b')).toBe('two');
    // The next write goes to the other file, under the next generation.
    await put(again, 'c', 'three');
    const log = await logFile(dir, 1);
    expect(log.header).toMatchObject({ gen: 2, applied: false });
    expect(log.entries.length).toBe(1);
    expect(log.entries[0]!.path).toMatch(/^meta[/\\]objects[/\\]b[/\\]/);
    await again.close();
    // And a file is reused under a new generation: its old entries no longer count.
    const third = await open(dir);
    await put(third, 'd', 'four');
    expect((await logFile(dir, 0)).header).toMatchObject({ gen: 3, applied: false });
    expect((await logFile(dir, 0)).entries.length).toBe(1);
    await third.close();
    const fourth = await open(dir);
    expect(['a', 'b', 'c', 'd'].map((k) => text(fourth, k))).toEqual(['one', 'two', 'three', 'four']);
    await fourth.close();
  });

  it('replays up to an entry a crash tore, and drops that one', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'first', 'kept');
    await put(store, 'second', 'x'.repeat(3000));
    const { entries, file } = await logFile(dir, 0);
    const last = entries.at(-1)!.payload;
    const end = last.byteOffset - file!.byteOffset + last.length;
    // The last entry cut short, as a power cut mid-append leaves it (never acknowledged).
    await truncate(logPath(dir, 0), end - 100);
    const again = await open(dir);
    expect(text(again, 'first')).toBe('kept');
    expect(again.head('b', 'second')).toBeUndefined();
    await again.close();
  });

  it('replays a DELETE of a record that was already in the record files', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'k', 'before');
    await store.close();
    expect((await recordFiles(dir)).length).toBe(1);
    const second = await open(dir);
    await second.deleteObject('b', 'k');
    expect((await recordFiles(dir)).length).toBe(1);
    const third = await open(dir);
    expect(third.head('b', 'k')).toBeUndefined();
    expect(await recordFiles(dir)).toEqual([]);
    await third.close();
  });

  it('takes turns between its two files when one is full; a store closed after that has everything', async () => {
    const { dir, store } = await freshStore({ logBytes: 16 * 1024 });
    const body = (i: number, round: number) => `${round}:${i}:`.padEnd(1500, '.');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 25; i++) await put(store, `k${i}`, body(i, round));
    }
    await store.close();
    // Both files were used, many times over, each time under a higher generation.
    const [zero, one] = [await logFile(dir, 0), await logFile(dir, 1)];
    expect(Math.abs(zero.header!.gen - one.header!.gen)).toBe(1);
    expect(Math.max(zero.header!.gen, one.header!.gen)).toBeGreaterThan(4);
    // One record per key (in one or both of its slot files).
    const records = new Set((await recordFiles(dir)).map((f) => f.replace(/\.1$/, '')));
    expect(records.size).toBe(25);
    const again = await open(dir);
    for (let i = 0; i < 25; i++) expect(text(again, `k${i}`)).toBe(body(i, 2));
    await again.close();
  });

  it('a DeleteBucket applies the log first; the bucket comes back empty when re-created', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'k', 'v');
    await store.deleteObject('b', 'k');
    await store.deleteBucket('b');
    expect((await logFile(dir, 0)).header!.applied).toBe(true);
    await store.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
    await put(store, 'new', 'after');
    const again = await open(dir);
    expect(again.keys('b')).toEqual(['new']);
    expect(text(again, 'new')).toBe('after');
    await again.close();
  });

  it('keeps multipart upload records in the log too', async () => {
    const { dir, store } = await freshStore();
    await store.createUpload({
      uploadId: 'u1',
      bucket: 'b',
      key: 'big',
      initiated: 0,
      initiator: 'root',
      meta: { key: 'big', contentType: 'application/octet-stream', userMeta: {}, blobs: [] } as never,
      parts: {},
    });
    const again = await open(dir);
    expect(again.listUploads('b').map((u) => u.uploadId)).toEqual(['u1']);
    await again.abortUpload('u1');
    const third = await open(dir);
    expect(third.listUploads('b')).toEqual([]);
    await third.close();
  });

  it('ignores entries of another generation, or of the same one under another salt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'record-log-'));
    dirs.push(dir);
    const store = await open(dir);
    await store.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
    await store.close();
    const payload = Buffer.concat(encodeRecordFile({ ...objectRecord('ghost', []), size: 0 }));
    const path = Buffer.from(join('meta', 'objects', 'b', '00', 'ghost.json'));
    // Header: generation 5, salt 7. A whole entry of generation 4 (salt 7), then one of
    // generation 5 under salt 8 (a generation number handed out twice).
    for (const stamp of [
      { gen: 4, salt: 7 },
      { gen: 5, salt: 8 },
    ]) {
      const file = Buffer.alloc(ENTRIES_AT + entrySize(path.length, payload.length));
      file.set(encodeHeader({ gen: 5, salt: 7, applied: false }), 0);
      putEntry(file, ENTRIES_AT, stamp, OP_WRITE, path, [payload]);
      await writeFile(logPath(dir, 1), file);
      const again = await open(dir);
      expect(again.keys('b')).toEqual([]);
      await again.close();
    }
    // The same entry under the header's own stamp is replayed: the check above can fail.
    const file = Buffer.alloc(ENTRIES_AT + entrySize(path.length, payload.length));
    file.set(encodeHeader({ gen: 5, salt: 7, applied: false }), 0);
    putEntry(file, ENTRIES_AT, { gen: 5, salt: 7 }, OP_WRITE, path, [payload]);
    await writeFile(logPath(dir, 1), file);
    const replayed = await open(dir);
    expect(replayed.keys('b')).toEqual(['ghost']);
    await replayed.close();
  });

  it('after a failed append, later writes go to the other file and survive a crash', async () => {
    const { dir, store } = await freshStore();
    // The first log file cannot be opened (a directory in its place).
    await mkdir(logPath(dir, 0));
    await expect(put(store, 'lost', 'never acknowledged')).rejects.toMatchObject({ code: 'EISDIR' });
    await put(store, 'kept', 'acknowledged');
    expect((await logFile(dir, 1)).entries.length).toBe(1);
    // A crash; the obstacle gone by the next start.
    await rm(logPath(dir, 0), { recursive: true });
    const again = await open(dir);
    expect(again.keys('b')).toEqual(['kept']);
    expect(text(again, 'kept')).toBe('acknowledged');
    await again.close();
  });

  it('never writes outside meta/ for a path a log file names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'record-log-'));
    dirs.push(dir);
    const payload = Buffer.from('{"pwned":true}');
    const entries = [
      join('..', 'escaped.json'),
      join('meta', '..', '..', 'escaped2.json'),
      '/tmp/abs.json',
    ].map((p) => Buffer.from(p));
    const size = entries.reduce((n, p) => n + entrySize(p.length, payload.length), 0);
    const file = Buffer.alloc(ENTRIES_AT + size);
    file.set(encodeHeader({ gen: 1, salt: 1, applied: false }), 0);
    let at = ENTRIES_AT;
    for (const p of entries) at = putEntry(file, at, { gen: 1, salt: 1 }, OP_WRITE, p, [payload]);
    await mkdir(join(dir, 'meta'), { recursive: true });
    await writeFile(logPath(dir, 0), file);
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? '');
    process.on('warning', onWarning);
    try {
      const store = await open(dir);
      await store.close();
    } finally {
      process.off('warning', onWarning);
    }
    await expect(stat(join(dir, '..', 'escaped.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(dir, '..', 'escaped2.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat('/tmp/abs.json')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(warnings.filter((c) => c === 'S3_STORAGE_LOG_PATH').length).toBe(3);
  });
});

describe('record log under the server', () => {
  it('stopping the server applies its log: the record files are complete on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'record-log-server-'));
    dirs.push(dir);
    const server = await startS3Server({ identities: [ROOT], storage: { type: 'disk', dir } });
    const s3 = client(server.url);
    try {
      await server.createBucket('logged');
      for (let i = 0; i < 5; i++) {
        await s3.send(new PutObjectCommand({ Bucket: 'logged', Key: `k${i}`, Body: `v${i}` }));
      }
      expect(await recordFiles(dir, 'logged')).toEqual([]);
    } finally {
      s3.destroy();
      await server.stop();
    }
    expect((await recordFiles(dir, 'logged')).length).toBe(5);
    expect((await logFile(dir, 0)).header!.applied).toBe(true);
  });
});

describe('RecordLog', () => {
  /** A log over a fake set of record files that notes what a checkpoint applies. */
  async function fakeLog(maxBytes?: number) {
    const dir = await mkdtemp(join(tmpdir(), 'record-log-unit-'));
    dirs.push(dir);
    const applied: string[] = [];
    const files = {
      write: async (path: string, chunks: Buffer[]) => {
        applied.push(`write ${path.slice(dir.length + 1)} ${Buffer.concat(chunks).toString()}`);
      },
      retire: async (path: string) => {
        applied.push(`retire ${path.slice(dir.length + 1)}`);
      },
      reread: () => {},
    };
    const log = new RecordLog(dir, dir, files, maxBytes);
    await log.replay();
    return { dir, log, applied, at: (name: string) => join(dir, 'meta', name) };
  }

  it('group-commits writes that arrive together: fewer appends than writes, each acknowledged', async () => {
    const { log, at } = await fakeLog();
    await Promise.all(Array.from({ length: 32 }, (_, i) => log.write(at(`r${i}`), [Buffer.from(`v${i}`)])));
    expect(log.stats.appends).toBeGreaterThan(0);
    expect(log.stats.appends).toBeLessThan(32);
    await log.close();
  });

  it('a crash during a checkpoint replays both files, the older generation first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'record-log-unit-'));
    dirs.push(dir);
    const at = (name: string) => join(dir, 'meta', name);
    // Record files whose writes never finish: the first file's checkpoint hangs, as if the
    // process died during it.
    const hung = new RecordLog(
      dir,
      dir,
      { write: () => new Promise(() => {}), retire: () => new Promise(() => {}), reread: () => {} },
      // Two of these entries (~90 bytes each) fit in a file.
      4096 + 200,
    );
    await hung.replay();
    await hung.write(at('a'), [Buffer.from('old a'.padEnd(60))]);
    await hung.write(at('b'), [Buffer.from('old b'.padEnd(60))]);
    // Past maxBytes: the other file takes this one, and the first one's checkpoint starts.
    await hung.write(at('a'), [Buffer.from('new a'.padEnd(60))]);
    await hung.retire(at('b'));
    const files = await Promise.all([0, 1].map((i) => readFile(join(dir, `records.log.${i}`))));
    expect(files.map((f) => readHeader(f))).toMatchObject([
      { gen: 1, applied: false },
      { gen: 2, applied: false },
    ]);
    const applied: string[] = [];
    const replay = new RecordLog(dir, dir, {
      write: async (path, chunks) => {
        applied.push(`write ${path.slice(dir.length + 1)} ${Buffer.concat(chunks).toString().trim()}`);
      },
      retire: async (path) => {
        applied.push(`retire ${path.slice(dir.length + 1)}`);
      },
      reread: () => {},
    });
    await replay.replay();
    expect(applied).toEqual([
      'write meta/a old a',
      'write meta/b old b',
      'write meta/a new a',
      'retire meta/b',
    ]);
    const after = await Promise.all([0, 1].map((i) => readFile(join(dir, `records.log.${i}`))));
    expect(after.map((f) => readHeader(f)!.applied)).toEqual([true, true]);
    await replay.close();
  });

  it('a checkpoint applies only the latest entry of each record', async () => {
    const { log, at, applied } = await fakeLog();
    await log.write(at('a'), [Buffer.from('1')]);
    await log.write(at('b'), [Buffer.from('1')]);
    await log.write(at('a'), [Buffer.from('2')]);
    await log.retire(at('b'));
    await log.checkpointAll();
    expect(applied.sort()).toEqual(['retire meta/b', 'write meta/a 2']);
    expect(log.stats.checkpoints).toBe(1);
    await log.close();
  });

  it('a failed checkpoint keeps the entries, and the next one applies them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'record-log-unit-'));
    dirs.push(dir);
    let fail = true;
    const applied: string[] = [];
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? '');
    process.on('warning', onWarning);
    try {
      const log = new RecordLog(dir, dir, {
        write: async (path, chunks) => {
          if (fail) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
          applied.push(`${path.slice(dir.length + 1)} ${Buffer.concat(chunks).toString()}`);
        },
        retire: async () => {},
        reread: () => {},
      });
      await log.replay();
      await log.write(join(dir, 'meta', 'a'), [Buffer.from('1')]);
      await expect(log.checkpointAll()).rejects.toMatchObject({ code: 'ENOSPC' });
      // Still not applied on disk: a crash now would replay it.
      const file = await readFile(join(dir, 'records.log.0'));
      expect(readHeader(file)!.applied).toBe(false);
      // Writes go on, into the other file.
      await log.write(join(dir, 'meta', 'b'), [Buffer.from('2')]);
      fail = false;
      await log.checkpointAll();
      expect(applied.sort()).toEqual(['meta/a 1', 'meta/b 2']);
      await log.close();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toContain('S3_STORAGE_LOG_CHECKPOINT');
  });
});
