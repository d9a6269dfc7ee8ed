// Records on disk. Small blobs travel as raw bytes after the record's JSON (not base64 inside
// it), and records written in earlier forms still load. Bucket records live in two slot files
// rewritten in place in turn (see DiskLayout.writeAtomic), a slot a crash tore losing to the
// other; object and upload records live in the record log alone (record-log.ts). A data
// directory of the layout before the log (record files under meta/objects and meta/uploads, a
// two-file log meta/records.log.0/1) is migrated into the log at open.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bufferStream } from '../../stack/s3/storage/buffer-stream.ts';
import { type DiskOptions, diskBackends } from '../../stack/s3/storage/disk-backend.ts';
import { decodeRecordFile, encodeRecordFile } from '../../stack/s3/storage/record-file.ts';
import { FRAME_HEADER, openFrame, sealFrame } from '../../stack/s3/storage/record-frame.ts';
import {
  ENTRIES_AT,
  encodeHeader,
  entrySize,
  type LogEntry,
  OP_RETIRE,
  OP_WRITE,
  putEntry,
  readEntries,
  readHeader,
} from '../../stack/s3/storage/record-log-format.ts';
import { Store } from '../../stack/s3/storage/store.ts';
import type { BlobRef, BucketRecord, ObjectRecord, UploadRecord } from '../../stack/s3/storage/types.ts';
import { objectRecord } from './fixtures.ts';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A record whose metadata holds a newline (the JSON must escape it: a raw one ends the JSON). */
function record(key: string, blobs: BlobRef[]): ObjectRecord {
  return {
    ...objectRecord(key, blobs),
    lastModified: 1,
    contentType: 'text/plain',
    userMeta: { note: 'line one\nline two' },
  };
}

describe('record file encoding', () => {
  it('round-trips inline blobs of several versions as raw bytes after the JSON', () => {
    const a = Buffer.from('first version\n\u0000binary\xff', 'latin1');
    const b = Buffer.alloc(70_000, 0x5a);
    const value = {
      key: 'k',
      versions: [
        record('k', [{ id: 'b2', size: b.length, inline: b }]),
        record('k', [{ id: 'b1', size: a.length, inline: a }]),
        record('k', [{ id: 'on-disk', size: 10 }]),
      ],
    };
    const file = Buffer.concat(encodeRecordFile(value));
    // The bytes are there as they are, once; no base64 copy of them in the JSON.
    expect(file.includes(a)).toBe(true);
    expect(file.length).toBeLessThan(a.length + b.length + 2000);
    expect(file.includes(Buffer.from(b.subarray(0, 300).toString('base64')))).toBe(false);
    const back = decodeRecordFile<typeof value>(file);
    expect(back.versions[0]!.blobs[0]!.inline!.equals(b)).toBe(true);
    expect(back.versions[1]!.blobs[0]!.inline!.equals(a)).toBe(true);
    expect(back.versions[2]!.blobs[0]).toEqual({ id: 'on-disk', size: 10 });
    expect(back.versions[0]!.userMeta).toEqual({ note: 'line one\nline two' });
    expect({ ...back.versions[1], blobs: [] }).toEqual({ ...value.versions[1], blobs: [] });
  });

  it('writes a record without inline blobs as plain JSON', () => {
    const value = record('k', [{ id: 'x', size: 3 }]);
    const file = Buffer.concat(encodeRecordFile(value));
    expect(JSON.parse(file.toString('utf8'))).toEqual(value);
  });

  it('loads records written with base64 inline blobs (the earlier format)', () => {
    const legacy = JSON.stringify(record('k', [{ id: 'old', size: 5, inline: 'aGVsbG8=' } as never]));
    const back = decodeRecordFile<ObjectRecord>(Buffer.from(legacy));
    expect(back.blobs[0]!.inline!.toString()).toBe('hello');
  });

  it('refuses a file cut short inside its inline bytes', () => {
    const file = Buffer.concat(
      encodeRecordFile(record('k', [{ id: 'b', size: 100, inline: Buffer.alloc(100) }])),
    );
    expect(() => decodeRecordFile(file.subarray(0, file.length - 1))).toThrow(/past the end/);
  });
});

// ---- helpers shared by the on-disk tests

/** A new data directory, removed after the test. */
async function newDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'record-files-'));
  dirs.push(dir);
  return dir;
}

/** A store on `dir`, closed after the test (closing twice is fine). */
async function open(dir: string, options: DiskOptions = {}): Promise<Store> {
  const store = await Store.open(await diskBackends(dir, options));
  stores.push(store);
  return store;
}

function bucketRecord(name: string, policy?: string): BucketRecord {
  return {
    name,
    region: 'us-east-1',
    created: 0,
    owner: 'root',
    configs: policy === undefined ? {} : { policy },
  };
}

/** A new data directory (removed after the test) with bucket `b` in it. */
async function freshStore(options: DiskOptions = {}): Promise<{ dir: string; store: Store }> {
  const dir = await newDir();
  const store = await open(dir, options);
  await store.createBucket(bucketRecord('b'));
  return { dir, store };
}

/** All of an object's bytes. */
async function body(store: Store, rec: ObjectRecord): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of store.read(rec, 0, rec.size - 1)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Key `key`'s bytes in bucket `b` as text; undefined when there is no such key. */
async function text(store: Store, key = 'k'): Promise<string | undefined> {
  const rec = store.head('b', key);
  return rec && (await body(store, rec)).toString();
}

async function put(store: Store, key: string, bytes: Buffer): Promise<void> {
  const blob = await store.writeBlob(bufferStream(bytes), bytes.length);
  await store.commitObject('b', key, () => record(key, [blob]));
}

/** The files of every blob kept on disk (not inline). */
async function blobFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const fan of await readdir(join(dir, 'blobs'))) {
    const sub = join(dir, 'blobs', fan);
    if ((await stat(sub)).isDirectory()) out.push(...(await readdir(sub)));
  }
  return out;
}

/**
 * The record log's current contents read straight from meta/log (an oracle independent of the
 * store): the newest base, then the segments after it in generation order, each up to its
 * first entry that is not whole.
 */
async function logRecords(dir: string): Promise<Map<string, Buffer>> {
  const logDir = join(dir, 'meta', 'log');
  const files = (await readdir(logDir))
    .map((name) => /^(seg|base)-(\d+)\.log$/.exec(name))
    .filter((m) => m !== null)
    .map((m) => ({ name: m[0], base: m[1] === 'base', gen: Number(m[2]) }));
  const base = files.filter((f) => f.base).sort((a, b) => b.gen - a.gen)[0];
  const replay = [
    ...(base ? [base] : []),
    ...files.filter((f) => !f.base && (!base || f.gen > base.gen)).sort((a, b) => a.gen - b.gen),
  ];
  const out = new Map<string, Buffer>();
  for (const f of replay) {
    const file = await readFile(join(logDir, f.name));
    const header = readHeader(file);
    if (!header) continue;
    for (const e of readEntries(file, header)) {
      if (e.op === OP_WRITE) out.set(e.path, Buffer.from(e.payload));
      else out.delete(e.path);
    }
  }
  return out;
}

/** The name of a key's record: where its file was before the log, and its path in the log. */
function objectRel(bucket: string, key: string): string {
  const h = createHash('sha256').update(key, 'utf8').digest('hex');
  return `meta/objects/${bucket}/${h.slice(0, 2)}/${h}.json`;
}

/** Codes of the process warnings emitted while `fn` runs (they are emitted on a later tick). */
async function warningsDuring<T>(fn: () => Promise<T>): Promise<{ value: T; codes: string[] }> {
  const codes: string[] = [];
  const onWarning = (w: Error & { code?: string }) => codes.push(w.code ?? '');
  process.on('warning', onWarning);
  try {
    const value = await fn();
    await new Promise((r) => setImmediate(r));
    return { value, codes };
  } finally {
    process.off('warning', onWarning);
  }
}

/** `payload` in a slot file's frame with sequence number `seq` (record-frame.ts). */
function frame(payload: Buffer, seq: number): Buffer {
  const buf = Buffer.alloc(FRAME_HEADER + payload.length);
  payload.copy(buf, FRAME_HEADER);
  sealFrame(buf, payload.length, seq);
  return buf;
}

describe('bucket records in slot files', () => {
  /** Bucket `name`'s slot files (`NAME.json`, `NAME.json.1`), those that exist. */
  async function slotFiles(dir: string, name = 'b'): Promise<string[]> {
    const files = await readdir(join(dir, 'meta', 'buckets'));
    return [`${name}.json`, `${name}.json.1`]
      .filter((f) => files.includes(f))
      .map((f) => join(dir, 'meta', 'buckets', f));
  }

  /** The bucket record a load would take from disk: the valid frame with the highest number. */
  async function onDisk(dir: string, name = 'b'): Promise<BucketRecord | undefined> {
    const frames = await Promise.all(
      (await slotFiles(dir, name)).map(async (f) => openFrame(await readFile(f), f.endsWith('.json'))),
    );
    const newest = frames
      .filter((f) => f !== undefined)
      .reduce<(typeof frames)[number]>((a, b) => (a && a.seq > b.seq ? a : b), undefined);
    return newest && (JSON.parse(newest.payload.toString('utf8')) as BucketRecord);
  }

  function setPolicy(store: Store, policy: string): Promise<void> {
    return store.updateBucketConfigs('b', (c) => ({ ...c, policy }));
  }

  it('rewrites a bucket record in place in its two slot files, and removes both on DeleteBucket', async () => {
    const { dir, store } = await freshStore();
    const inodes = new Set<number>();
    for (const f of await slotFiles(dir)) inodes.add((await stat(f)).ino);
    for (let i = 1; i < 20; i++) {
      await setPolicy(store, `version ${i}`);
      for (const f of await slotFiles(dir)) inodes.add((await stat(f)).ino);
    }
    // One file for the first write, one for the second; every later write goes into them.
    expect(inodes.size).toBe(2);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    const [first, second] = await slotFiles(dir);
    // The frames alternate: the newest (seq 20) in the second slot, the one before in the first.
    expect([openFrame(await readFile(first!))!.seq, openFrame(await readFile(second!))!.seq]).toEqual([
      19, 20,
    ]);
    expect(store.bucket('b')!.configs.policy).toBe('version 19');
    await store.close();
    const reopened = await open(dir);
    expect(reopened.bucket('b')!.configs.policy).toBe('version 19');
    await reopened.deleteBucket('b');
    expect(await slotFiles(dir)).toEqual([]);
    // Both files kept as spares, until a restart clears them.
    expect((await readdir(join(dir, 'tmp'))).length).toBe(2);
    await reopened.close();
    const again = await open(dir);
    expect(again.bucket('b')).toBeUndefined();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('a DeleteBucket a crash cut short after the older slot went leaves the bucket as it was', async () => {
    const { dir, store } = await freshStore();
    await setPolicy(store, 'current');
    await store.close();
    // Removals take the older slot first; the crash came before the current one's.
    const [older, current] = await slotFiles(dir);
    expect(openFrame(await readFile(current!))!.seq).toBe(2);
    await rm(older!);
    let reopened = await open(dir);
    expect(reopened.bucket('b')!.configs.policy).toBe('current');
    // The next write creates the missing slot, numbered after the current one, and wins.
    await setPolicy(reopened, 'next');
    expect(openFrame(await readFile(older!))!.seq).toBe(3);
    await reopened.close();
    reopened = await open(dir);
    expect(reopened.bucket('b')!.configs.policy).toBe('next');
    await reopened.deleteBucket('b');
    expect(await slotFiles(dir)).toEqual([]);
  });

  it('a slot torn by a crash loses to the other, and the next write goes into it', async () => {
    const fresh = await freshStore();
    const dir = fresh.dir;
    let store = fresh.store;
    await setPolicy(store, 'x'.repeat(3000));
    await store.close();
    // The newest frame (in `.json.1`) cut short, and then one with a byte changed: a rewrite
    // a power cut interrupted.
    const [oldest, newest] = await slotFiles(dir);
    const kept = await readFile(oldest!);
    const whole = await readFile(newest!);
    for (const torn of [whole.subarray(0, whole.length - 100), Buffer.from(whole).fill(0, 1000, 1001)]) {
      await writeFile(newest!, torn);
      store = await open(dir);
      expect(store.bucket('b')).toEqual(bucketRecord('b'));
      await store.close();
    }
    // The next write replaces the torn slot, not the good one, and wins after a restart.
    store = await open(dir);
    await setPolicy(store, 'three');
    await store.close();
    expect((await open(dir)).bucket('b')!.configs.policy).toBe('three');
    expect(await readFile(oldest!)).toEqual(kept);
    // Numbered after the last valid frame: the torn one's number never counted.
    expect(openFrame(await readFile(newest!))!.seq).toBe(2);
  });

  it('a first write a crash cut short leaves no bucket, without a warning, and the bucket can be created', async () => {
    const fresh = await freshStore();
    const dir = fresh.dir;
    await fresh.store.close();
    const [only] = await slotFiles(dir);
    for (const torn of [Buffer.alloc(0), Buffer.alloc(4096), (await readFile(only!)).subarray(0, 30)]) {
      await writeFile(only!, torn);
      const { value: store, codes } = await warningsDuring(() => open(dir));
      expect(store.bucket('b')).toBeUndefined();
      // Never acknowledged: not a record lost.
      expect(codes).not.toContain('S3_STORAGE_UNREADABLE_RECORD');
      await store.close();
    }
    const store = await open(dir);
    await store.createBucket(bucketRecord('b', 'again'));
    await store.close();
    expect((await open(dir)).bucket('b')!.configs.policy).toBe('again');
    // Written over the torn file in place: no second slot needed.
    expect(await slotFiles(dir)).toEqual([only]);
  });

  it('loads a bucket record written before frames (bare JSON), and writes the next one beside it', async () => {
    const fresh = await freshStore();
    const dir = fresh.dir;
    await fresh.store.close();
    const [only] = await slotFiles(dir);
    const legacy = Buffer.from(JSON.stringify(bucketRecord('b', 'legacy')));
    await writeFile(only!, legacy);
    let store = await open(dir);
    expect(store.bucket('b')).toEqual(bucketRecord('b', 'legacy'));
    await setPolicy(store, 'newer');
    await store.close();
    store = await open(dir);
    expect(store.bucket('b')!.configs.policy).toBe('newer');
    expect(await readFile(only!)).toEqual(legacy);
    expect(openFrame(await readFile(`${only}.1`))!.seq).toBe(1);
  });

  it('holds exactly the record just written, long and short in turn', async () => {
    const { dir, store } = await freshStore();
    // Long and short records in turn: the winning frame must be exactly the record just
    // written (no tail of a longer one it was written over), now and after a restart.
    const sizes = [5000, 10, 3000, 1, 200_000, 2, 100_000, 4000, 3];
    for (const [i, size] of sizes.entries()) {
      await setPolicy(store, String.fromCharCode(97 + i).repeat(size));
      const frames = await Promise.all(
        (await slotFiles(dir)).map(async (f) => openFrame(await readFile(f))!),
      );
      const newest = frames.reduce((a, b) => (b.seq > a.seq ? b : a));
      expect(newest.payload.toString('utf8')).toBe(JSON.stringify(store.bucket('b')));
    }
    await store.close();
    expect((await open(dir)).bucket('b')!.configs.policy).toBe('iii');
  });

  it('leaves out a bucket whose only record cannot be read, with a warning, and keeps its file', async () => {
    const fresh = await freshStore();
    const dir = fresh.dir;
    await fresh.store.close();
    const [first] = await slotFiles(dir);
    // Bare JSON that is not JSON, where a record from before frames would be.
    await writeFile(first!, '{ not json');
    const { value: store, codes } = await warningsDuring(() => open(dir));
    expect(store.bucket('b')).toBeUndefined();
    expect(codes).toContain('S3_STORAGE_UNREADABLE_RECORD');
    expect(await readFile(first!, 'utf8')).toBe('{ not json');
  });

  it('a slot whose payload cannot be read loses to the other slot, and the next write goes into it', async () => {
    const fresh = await freshStore();
    const dir = fresh.dir;
    await fresh.store.close();
    const [first] = await slotFiles(dir);
    // A whole frame, newer than the first slot's, whose payload is not a bucket record.
    await writeFile(`${first}.1`, frame(Buffer.from('{ not json'), 2));
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(`${w.code} ${w.message}`);
    process.on('warning', onWarning);
    let store: Awaited<ReturnType<typeof open>>;
    try {
      store = await open(dir);
      // Warnings are emitted on a later tick.
      await new Promise(setImmediate);
    } finally {
      process.off('warning', onWarning);
    }
    expect(store.bucket('b')).toEqual(bucketRecord('b'));
    // An acknowledged change undone is said.
    expect(warnings).toEqual([
      expect.stringMatching(/^S3_STORAGE_NEWER_RECORD_UNREADABLE .*b\.json could not be read/),
    ]);
    const kept = await readFile(first!);
    await setPolicy(store, 'after');
    await store.close();
    // The readable record was not written over.
    expect(await readFile(first!)).toEqual(kept);
    store = await open(dir);
    expect(store.bucket('b')!.configs.policy).toBe('after');
    expect(openFrame(await readFile(`${first}.1`))!.seq).toBe(3);
  });

  /** tmp/ replaced by a plain file while `fn` runs: moving a slot file there fails (ENOTDIR). */
  async function withTmpBlocked(dir: string, fn: () => Promise<unknown>): Promise<unknown> {
    await rm(join(dir, 'tmp'), { recursive: true });
    await writeFile(join(dir, 'tmp'), '');
    try {
      return await fn().then(
        () => undefined,
        (err: unknown) => err,
      );
    } finally {
      await rm(join(dir, 'tmp'));
      await mkdir(join(dir, 'tmp'));
    }
  }

  it('a DeleteBucket whose removal fails keeps the bucket, for later writes, and its retry removes it for good', async () => {
    const { dir, store } = await freshStore();
    await setPolicy(store, 'one');
    expect(await withTmpBlocked(dir, () => store.deleteBucket('b'))).toMatchObject({ code: 'ENOTDIR' });
    expect(store.bucket('b')!.configs.policy).toBe('one');
    expect(await slotFiles(dir)).toHaveLength(2);
    expect((await onDisk(dir))!.configs.policy).toBe('one');
    // A later write goes where it belongs (not over the current slot).
    await setPolicy(store, 'two');
    expect((await onDisk(dir))!.configs.policy).toBe('two');
    // A failed DeleteBucket retried removes the record for good.
    expect(await withTmpBlocked(dir, () => store.deleteBucket('b'))).toMatchObject({ code: 'ENOTDIR' });
    expect((await onDisk(dir))!.configs.policy).toBe('two');
    await store.deleteBucket('b');
    expect(store.bucket('b')).toBeUndefined();
    expect(await slotFiles(dir)).toEqual([]);
    await store.close();
    const reopened = await open(dir);
    expect(reopened.bucket('b')).toBeUndefined();
    await reopened.createBucket(bucketRecord('b'));
    expect(reopened.bucket('b')).toEqual(bucketRecord('b'));
  });
});

describe('object and upload records in the record log', () => {
  it('keeps small objects across a restart, byte for byte, as raw bytes in the log', async () => {
    const { dir, store } = await freshStore();
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256));
    await put(store, 'k', bytes);
    await store.close();
    // The log holds the raw bytes, and no record file exists.
    expect((await logRecords(dir)).get(objectRel('b', 'k'))!.includes(bytes)).toBe(true);
    await expect(stat(join(dir, 'meta', 'objects'))).rejects.toMatchObject({ code: 'ENOENT' });
    const reopened = await open(dir);
    expect((await body(reopened, reopened.head('b', 'k')!)).equals(bytes)).toBe(true);
  });

  it('opens a data directory with stray files where directories are expected', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'k', Buffer.from('kept'));
    await store.close();
    // What a file manager leaves behind.
    for (const d of ['blobs', 'tmp', join('meta', 'buckets'), join('meta', 'log')]) {
      await writeFile(join(dir, d, '.DS_Store'), 'x');
    }
    // What fsck has left after a power cut without a journal: a directory under a blob's name.
    await mkdir(join(dir, 'blobs', 'ab', 'ab0123'), { recursive: true });
    let reopened = await open(dir);
    await expect(stat(join(dir, 'blobs', 'ab', 'ab0123'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await text(reopened)).toBe('kept');
    // And it takes writes, which the next open finds.
    await put(reopened, 'k2', Buffer.from('later'));
    await reopened.close();
    reopened = await open(dir);
    expect([await text(reopened), await text(reopened, 'k2')]).toEqual(['kept', 'later']);
  });

  it('drops an upload a crash left behind after its Complete, keeping the object and its bytes', async () => {
    const { dir, store } = await freshStore();
    const objectMeta = {
      key: 'big',
      contentType: 'text/plain',
      userMeta: {},
      tags: [],
      storageClass: 'STANDARD',
    };
    await store.createUpload({
      uploadId: 'U1',
      bucket: 'b',
      key: 'big',
      initiated: 1,
      initiator: 'root',
      meta: objectMeta,
      parts: {},
    });
    const bytes = Buffer.alloc(200_000, 5);
    const blob = await store.writeBlob(bufferStream(bytes), bytes.length);
    await store.putPart('b', 'big', 'U1', {
      partNumber: 1,
      size: bytes.length,
      etag: '"p1"',
      lastModified: 2,
      checksums: {},
      blob,
    });
    const leftover = store.upload('b', 'big', 'U1');
    await store.completeUpload('b', 'big', 'U1', async (u) => ({
      ...record('big', [u.parts[1]!.blob]),
      etag: '"x-1"',
    }));
    await store.close();
    // The crash: the object's record is in the log, the upload's removal is not.
    const backends = await diskBackends(dir);
    await backends.meta.load();
    await backends.meta.saveUpload(leftover);
    await backends.close!();
    expect((await logRecords(dir)).has('meta/uploads/U1.json')).toBe(true);
    const reopened = await open(dir);
    expect(reopened.listUploads('b')).toEqual([]);
    await expect(reopened.abortUpload('U1')).rejects.toMatchObject({ code: 'NoSuchUpload' });
    expect((await body(reopened, reopened.head('b', 'big')!)).equals(bytes)).toBe(true);
    // And the leftover is gone from the log for good, the object's blob kept.
    expect((await logRecords(dir)).has('meta/uploads/U1.json')).toBe(false);
    await reopened.close();
    const again = await open(dir);
    expect((await body(again, again.head('b', 'big')!)).equals(bytes)).toBe(true);
  });

  /**
   * meta/log replaced by a plain file while `fn` runs: the log cannot start a new segment
   * (ENOTDIR), so an append that needs one fails. The segment in use stays open, where it was.
   */
  async function withLogBlocked(dir: string, fn: () => Promise<unknown>): Promise<unknown> {
    const log = join(dir, 'meta', 'log');
    await rename(log, `${log}.away`);
    await writeFile(log, '');
    try {
      return await fn().then(
        () => undefined,
        (err: unknown) => err,
      );
    } finally {
      await rm(log);
      await rename(`${log}.away`, log);
    }
  }

  it('a DELETE whose removal fails leaves the record as it was, for later writes and a retry', async () => {
    // Tiny segments: every append seals the segment before it and starts a new file.
    const options = { segmentBytes: 1 };
    const { dir, store } = await freshStore(options);
    for (let i = 1; i <= 5; i++) await put(store, 'k', Buffer.from(`v${i}`));
    const v5 = (await logRecords(dir)).get(objectRel('b', 'k'))!;
    expect(await withLogBlocked(dir, () => store.deleteObject('b', 'k'))).toMatchObject({ code: 'ENOTDIR' });
    expect(await text(store)).toBe('v5');
    expect((await logRecords(dir)).get(objectRel('b', 'k'))).toEqual(v5);
    // Later writes are taken, and win after a restart.
    await put(store, 'k', Buffer.from('NEW'));
    await store.close();
    const reopened = await open(dir, options);
    expect(await text(reopened)).toBe('NEW');
    // A failed DELETE retried removes the record for good.
    expect(await withLogBlocked(dir, () => reopened.deleteObject('b', 'k'))).toMatchObject({
      code: 'ENOTDIR',
    });
    expect(await text(reopened)).toBe('NEW');
    expect(await reopened.deleteObject('b', 'k')).toMatchObject({ removed: true });
    expect(reopened.head('b', 'k')).toBeUndefined();
    expect((await logRecords(dir)).has(objectRel('b', 'k'))).toBe(false);
    await reopened.close();
    expect((await open(dir)).head('b', 'k')).toBeUndefined();
  });

  it('forgets the objects of a bucket whose DeleteBucket a crash cut short, even if the name comes back', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'stale', Buffer.alloc(100_000, 1));
    await put(store, 'small', Buffer.from('inline'));
    await store.updateBucketConfigs('b', (c) => ({ ...c, policy: 'both slots' }));
    await store.close();
    expect(await blobFiles(dir)).toHaveLength(1);
    // The crash: DeleteBucket removed the bucket's record (both slots), its objects are live.
    await rm(join(dir, 'meta', 'buckets', 'b.json'));
    await rm(join(dir, 'meta', 'buckets', 'b.json.1'));
    const reopened = await open(dir);
    expect(reopened.listBuckets()).toEqual([]);
    // Removed from the log durably, and the blob collected.
    expect([...(await logRecords(dir)).keys()].filter((rel) => rel.startsWith('meta/objects/b/'))).toEqual(
      [],
    );
    expect(await blobFiles(dir)).toEqual([]);
    await reopened.createBucket(bucketRecord('b'));
    await reopened.close();
    const again = await open(dir);
    expect(again.bucket('b')).toEqual(bucketRecord('b'));
    expect(again.head('b', 'stale')).toBeUndefined();
    expect(again.head('b', 'small')).toBeUndefined();
    expect(again.keys('b')).toEqual([]);
  });
});

describe('a data directory from before the record log', () => {
  /** Bytes of an old two-file log (meta/records.log.N): the header, then `entries`. */
  function oldLog(
    header: { gen: number; salt: number; applied: boolean },
    entries: { op: LogEntry['op']; path: string; payload?: Buffer; gen?: number }[],
  ): Buffer {
    const size = entries.reduce(
      (n, e) => n + entrySize(Buffer.byteLength(e.path), e.payload?.length ?? 0),
      ENTRIES_AT,
    );
    // Zeros after the entries, as the log took space ahead.
    const buf = Buffer.alloc(size + 8192);
    buf.set(encodeHeader(header), 0);
    let at = ENTRIES_AT;
    for (const e of entries) {
      // An entry of another generation: what a reused file still holds after the current ones.
      const stamp = { gen: e.gen ?? header.gen, salt: e.gen === undefined ? header.salt : 7 };
      at = putEntry(buf, at, stamp, e.op, Buffer.from(e.path), e.payload ? [e.payload] : []);
    }
    return buf;
  }

  function payload(value: unknown): Buffer {
    return Buffer.concat(encodeRecordFile(value));
  }

  /** An object record with its bytes inline. */
  function inlineRecord(key: string, bytes: string | Buffer, versionId?: string): ObjectRecord {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    const id = createHash('sha256')
      .update(`${key}\0${b.toString('hex')}`)
      .digest('hex')
      .slice(0, 32);
    return { ...record(key, [{ id, size: b.length, inline: b }]), ...(versionId ? { versionId } : {}) };
  }

  /** Writes an old record file's slot(s) at `rel`: `slot0`, and `slot1` beside it if given. */
  async function legacyFile(dir: string, rel: string, slot0: Buffer, slot1?: Buffer): Promise<string> {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, slot0);
    if (slot1) await writeFile(`${path}.1`, slot1);
    return path;
  }

  function upload(uploadId: string, part: string): UploadRecord {
    const bytes = Buffer.from(part);
    return {
      uploadId,
      bucket: 'b',
      key: `up-${uploadId}`,
      initiated: 1,
      initiator: 'root',
      meta: {
        key: `up-${uploadId}`,
        contentType: 'text/plain',
        userMeta: { a: 'b' },
        tags: [],
        storageClass: 'STANDARD',
      },
      parts: {
        1: {
          partNumber: 1,
          size: bytes.length,
          etag: '"p"',
          lastModified: 2,
          checksums: {},
          blob: { id: `part-${uploadId}`, size: bytes.length, inline: bytes },
        },
      },
    };
  }

  /** Everything a store holds, for comparing two opens. */
  async function snapshot(store: Store): Promise<unknown> {
    const out: unknown[] = [];
    for (const b of store.listBuckets()) {
      const keys: unknown[] = [];
      for (const k of store.versionedKeys(b.name)) {
        const versions = store.versions(b.name, k);
        keys.push({
          k,
          versions,
          bytes: await Promise.all(versions.map((v) => (v.deleteMarker ? '' : body(store, v).then(String)))),
        });
      }
      out.push({ bucket: b, keys, uploads: store.listUploads(b.name) });
    }
    return out;
  }

  it('moves record files and the unapplied entries of the old log into the log, byte for byte', async () => {
    const dir = await newDir();
    const rel = (key: string) => objectRel('b', key);
    // Bucket records stay where they are: one framed, one bare JSON from before frames.
    await legacyFile(
      dir,
      'meta/buckets/b.json',
      frame(Buffer.from(JSON.stringify(bucketRecord('b', 'p'))), 1),
    );
    await legacyFile(dir, 'meta/buckets/c.json', Buffer.from(JSON.stringify(bucketRecord('c'))));
    const binary = Buffer.from('raw\n\u0000bytes\xff after the JSON', 'latin1');
    const big = Buffer.alloc(100_000, 0x42);
    const bigId = `ab${'0'.repeat(30)}`;
    await mkdir(join(dir, 'blobs', 'ab'), { recursive: true });
    await writeFile(join(dir, 'blobs', 'ab', bigId), big);
    const expected = new Map<string, ObjectRecord[]>([
      ['framed', [inlineRecord('framed', 'second frame')]],
      ['bare', [inlineRecord('bare', binary)]],
      ['torn', [inlineRecord('torn', 'kept')]],
      ['versioned', [inlineRecord('versioned', 'v2', 'id2'), inlineRecord('versioned', 'v1', 'id1')]],
      ['big', [record('big', [{ id: bigId, size: big.length }])]],
      ['logged', [inlineRecord('logged', 'from the log')]],
      ['log-only', [inlineRecord('log-only', 'only in the log')]],
      ['applied', [inlineRecord('applied', 'from the file')]],
      ['kept', [inlineRecord('kept', 'not removed')]],
      ['stale', [inlineRecord('stale', 'current')]],
    ]);
    const one = (key: string) => expected.get(key)![0]!;
    // Two slots, the second newer; a bare record with raw bytes; the older slot winning over a
    // torn newer one; a key with versions.
    await legacyFile(
      dir,
      rel('framed'),
      frame(payload(inlineRecord('framed', 'first frame')), 1),
      frame(payload(one('framed')), 2),
    );
    await legacyFile(dir, rel('bare'), payload(one('bare')));
    const torn = frame(payload(inlineRecord('torn', 'lost in a crash')), 4);
    await legacyFile(dir, rel('torn'), frame(payload(one('torn')), 3), torn.subarray(0, torn.length - 5));
    await legacyFile(
      dir,
      rel('versioned'),
      frame(payload({ key: 'versioned', versions: expected.get('versioned') }), 1),
    );
    await legacyFile(dir, rel('big'), frame(payload(one('big')), 1));
    // Files the old log's unapplied entries override or remove.
    await legacyFile(dir, rel('logged'), frame(payload(inlineRecord('logged', 'from the file')), 1));
    await legacyFile(dir, rel('removed'), frame(payload(inlineRecord('removed', 'doomed')), 1));
    // Files whose log entries were applied already (the file is newer than them).
    await legacyFile(dir, rel('applied'), frame(payload(one('applied')), 2));
    await legacyFile(dir, rel('kept'), payload(one('kept')));
    // A record that cannot be read.
    const badPath = await legacyFile(dir, rel('bad'), Buffer.from('{ not json'));
    // Uploads: framed, bare, and one only in the log.
    const u1 = upload('U1', 'part one');
    const u3 = upload('U3', 'part three');
    await legacyFile(dir, 'meta/uploads/U1.json', frame(payload(u1), 1));
    await legacyFile(dir, 'meta/uploads/U2.json', payload(upload('U2', 'aborted')));
    // Objects of a bucket whose record is gone, one with its blob on disk.
    const orphanId = `cd${'0'.repeat(30)}`;
    await mkdir(join(dir, 'blobs', 'cd'), { recursive: true });
    await writeFile(join(dir, 'blobs', 'cd', orphanId), big);
    await legacyFile(
      dir,
      objectRel('gone', 'orphan'),
      frame(payload(record('orphan', [{ id: orphanId, size: big.length }])), 1),
    );
    await legacyFile(dir, objectRel('gone', 'small'), payload(inlineRecord('small', 'orphan too')));
    await writeFile(
      join(dir, 'meta', 'records.log.0'),
      oldLog({ gen: 5, salt: 1234, applied: false }, [
        { op: OP_WRITE, path: rel('logged'), payload: payload(one('logged')) },
        { op: OP_RETIRE, path: rel('removed') },
        { op: OP_WRITE, path: rel('stale'), payload: payload(one('stale')) },
        { op: OP_WRITE, path: rel('log-only'), payload: payload(one('log-only')) },
        { op: OP_WRITE, path: 'meta/uploads/U3.json', payload: payload(u3) },
        { op: OP_RETIRE, path: 'meta/uploads/U2.json' },
        // Left from the file's earlier generation: not this one's, never replayed.
        { op: OP_WRITE, path: rel('stale'), payload: payload(inlineRecord('stale', 'stale')), gen: 3 },
      ]),
    );
    await writeFile(
      join(dir, 'meta', 'records.log.1'),
      oldLog({ gen: 4, salt: 99, applied: true }, [
        {
          op: OP_WRITE,
          path: rel('applied'),
          payload: payload(inlineRecord('applied', 'from the applied log')),
        },
        { op: OP_RETIRE, path: rel('kept') },
      ]),
    );

    const { value: store, codes } = await warningsDuring(() => open(dir));
    expect(codes).toContain('S3_STORAGE_UNREADABLE_RECORD');
    expect(store.listBuckets()).toEqual([bucketRecord('b', 'p'), bucketRecord('c')]);
    expect([...store.versionedKeys('b')].sort()).toEqual([...expected.keys()].sort());
    for (const [key, versions] of expected) {
      expect(store.versions('b', key)).toEqual(versions);
      for (const v of store.versions('b', key)) {
        const want = v.blobs[0]!.inline ?? big;
        expect((await body(store, v)).equals(want)).toBe(true);
      }
    }
    expect(store.head('b', 'removed')).toBeUndefined();
    expect(store.head('b', 'bare')!.blobs[0]!.inline!.equals(binary)).toBe(true);
    expect(store.listUploads('b')).toEqual([u1, u3]);
    expect(store.upload('b', 'up-U1', 'U1').parts[1]!.blob.inline!.toString()).toBe('part one');

    // The old files are gone; the log holds a base; the unreadable record was moved aside.
    for (const old of ['objects', 'uploads', 'records.log.0', 'records.log.1']) {
      await expect(stat(join(dir, 'meta', old))).rejects.toMatchObject({ code: 'ENOENT' });
    }
    expect((await readdir(join(dir, 'meta', 'log'))).some((n) => /^base-\d+\.log$/.test(n))).toBe(true);
    const moved = join(dir, 'meta', 'unreadable', 'objects', 'b', ...rel('bad').split('/').slice(3));
    expect(await readFile(moved, 'utf8')).toBe('{ not json');
    await expect(stat(badPath)).rejects.toMatchObject({ code: 'ENOENT' });
    // The log holds exactly the records loaded: the missing bucket's objects are removed from
    // it, and their blob collected.
    expect([...(await logRecords(dir)).keys()].sort()).toEqual(
      [...[...expected.keys()].map(rel), 'meta/uploads/U1.json', 'meta/uploads/U3.json'].sort(),
    );
    expect(await blobFiles(dir)).toEqual([bigId]);

    // The same state at the next open, without a warning (nothing left to migrate).
    const first = await snapshot(store);
    await store.close();
    const logFiles = (await readdir(join(dir, 'meta', 'log'))).sort();
    const second = await warningsDuring(() => open(dir));
    expect(second.codes).not.toContain('S3_STORAGE_UNREADABLE_RECORD');
    expect(await snapshot(second.value)).toEqual(first);
    expect((await readdir(join(dir, 'meta', 'log'))).sort()).toEqual(logFiles);

    // A bucket of the missing one's name starts empty, and stays so.
    await second.value.createBucket(bucketRecord('gone'));
    expect(second.value.keys('gone')).toEqual([]);
    await second.value.close();
    const third = await open(dir);
    expect(third.versionedKeys('gone')).toEqual([]);
    expect(await snapshot(third)).toEqual([
      ...(first as unknown[]),
      { bucket: bucketRecord('gone'), keys: [], uploads: [] },
    ]);
  });

  it('replays two unapplied old logs in generation order, not file order', async () => {
    const dir = await newDir();
    const rel = (key: string) => objectRel('b', key);
    await legacyFile(dir, 'meta/buckets/b.json', Buffer.from(JSON.stringify(bucketRecord('b'))));
    await legacyFile(dir, rel('rewritten'), payload(inlineRecord('rewritten', 'file')));
    await legacyFile(dir, rel('back'), payload(inlineRecord('back', 'file')));
    // The newer generation in the first file: a checkpoint of the older one was under way.
    await writeFile(
      join(dir, 'meta', 'records.log.0'),
      oldLog({ gen: 9, salt: 1, applied: false }, [
        { op: OP_WRITE, path: rel('rewritten'), payload: payload(inlineRecord('rewritten', 'newer log')) },
        { op: OP_WRITE, path: rel('back'), payload: payload(inlineRecord('back', 'written again')) },
        { op: OP_RETIRE, path: rel('gone') },
      ]),
    );
    await writeFile(
      join(dir, 'meta', 'records.log.1'),
      oldLog({ gen: 8, salt: 2, applied: false }, [
        { op: OP_WRITE, path: rel('rewritten'), payload: payload(inlineRecord('rewritten', 'older log')) },
        { op: OP_RETIRE, path: rel('back') },
        { op: OP_WRITE, path: rel('gone'), payload: payload(inlineRecord('gone', 'removed later')) },
      ]),
    );
    let store = await open(dir);
    const state = async () => ({
      keys: [...store.keys('b')].sort(),
      rewritten: await text(store, 'rewritten'),
      back: await text(store, 'back'),
    });
    const want = { keys: ['back', 'rewritten'], rewritten: 'newer log', back: 'written again' };
    expect(await state()).toEqual(want);
    await store.close();
    store = await open(dir);
    expect(await state()).toEqual(want);
  });

  it('after a migration a crash cut short (base written, old files left), removes the old files unread', async () => {
    const dir = await newDir();
    await legacyFile(dir, 'meta/buckets/b.json', Buffer.from(JSON.stringify(bucketRecord('b'))));
    await legacyFile(dir, objectRel('b', 'k'), payload(inlineRecord('k', 'migrated')));
    await (await open(dir)).close();
    // Old files back, as if their removal had not happened: the base already holds them.
    await legacyFile(dir, objectRel('b', 'k'), payload(inlineRecord('k', 'not again')));
    await legacyFile(dir, objectRel('b', 'x'), payload(inlineRecord('x', 'not again')));
    await legacyFile(dir, 'meta/uploads/U9.json', payload(upload('U9', 'not again')));
    await writeFile(
      join(dir, 'meta', 'records.log.0'),
      oldLog({ gen: 2, salt: 5, applied: false }, [
        { op: OP_RETIRE, path: objectRel('b', 'k') },
        { op: OP_WRITE, path: objectRel('b', 'y'), payload: payload(inlineRecord('y', 'not again')) },
      ]),
    );
    const store = await open(dir);
    expect(store.keys('b')).toEqual(['k']);
    expect(await text(store)).toBe('migrated');
    expect(store.listUploads('b')).toEqual([]);
    for (const old of ['objects', 'uploads', 'records.log.0']) {
      await expect(stat(join(dir, 'meta', old))).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('after a migration a crash cut short while it wrote the base, migrates again', async () => {
    const dir = await newDir();
    await legacyFile(dir, 'meta/buckets/b.json', Buffer.from(JSON.stringify(bucketRecord('b'))));
    await legacyFile(dir, objectRel('b', 'k'), payload(inlineRecord('k', 'migrated')));
    // The base being written when the power went: never renamed into place.
    await mkdir(join(dir, 'meta', 'log'), { recursive: true });
    await writeFile(join(dir, 'meta', 'log', 'base-1.tmp'), 'cut short');
    let store = await open(dir);
    expect(await text(store)).toBe('migrated');
    await store.close();
    expect((await readdir(join(dir, 'meta', 'log'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await expect(stat(join(dir, 'meta', 'objects'))).rejects.toMatchObject({ code: 'ENOENT' });
    store = await open(dir);
    expect(await text(store)).toBe('migrated');
  });

  it('migrates a data directory with stray files where directories are expected', async () => {
    const dir = await newDir();
    await legacyFile(dir, 'meta/buckets/b.json', Buffer.from(JSON.stringify(bucketRecord('b'))));
    await legacyFile(dir, objectRel('b', 'k'), payload(inlineRecord('k', 'kept')));
    // What a file manager leaves behind, where bucket and fan-out directories are expected.
    await writeFile(join(dir, 'meta', 'objects', '.DS_Store'), 'x');
    await writeFile(join(dir, 'meta', 'objects', 'b', '.DS_Store'), 'x');
    await mkdir(join(dir, 'meta', 'uploads'));
    await writeFile(join(dir, 'meta', 'uploads', '.DS_Store'), 'x');
    const { value: store, codes } = await warningsDuring(() => open(dir));
    expect(codes).not.toContain('S3_STORAGE_UNREADABLE_RECORD');
    expect(await text(store)).toBe('kept');
    await expect(stat(join(dir, 'meta', 'objects'))).rejects.toMatchObject({ code: 'ENOENT' });
    await store.close();
    expect(await text(await open(dir))).toBe('kept');
  });
});
