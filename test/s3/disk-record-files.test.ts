// Record files on disk: small blobs travel as raw bytes after the record's JSON (not base64
// inside it), records written in earlier forms still load, a record is rewritten in place in
// its two slot files (see DiskLayout.writeAtomic), and a slot a crash tore loses to the other.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bufferStream } from '../../stack/s3/storage/buffer-stream.ts';
import { diskBackends } from '../../stack/s3/storage/disk-backend.ts';
import { decodeRecordFile, encodeRecordFile } from '../../stack/s3/storage/record-file.ts';
import { openFrame } from '../../stack/s3/storage/record-frame.ts';
import { Store } from '../../stack/s3/storage/store.ts';
import type { BlobRef, ObjectRecord } from '../../stack/s3/storage/types.ts';
import { objectRecord } from './fixtures.ts';

const dirs: string[] = [];
afterEach(async () => {
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

describe('record files on disk', () => {
  // Records written straight to their files, which these tests look at (with the record log,
  // they get there at its checkpoints: see record-log.test.ts).
  async function open(dir: string): Promise<Store> {
    return Store.open(await diskBackends(dir, { log: false }));
  }

  /** A new data directory (removed after the test) with bucket `b` in it. */
  async function freshStore(): Promise<{ dir: string; store: Store }> {
    const dir = await mkdtemp(join(tmpdir(), 'record-files-'));
    dirs.push(dir);
    const store = await open(dir);
    await store.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
    return { dir, store };
  }

  /** Key `k`'s bytes as text; undefined when there is no such key. */
  function text(store: Store): string | undefined {
    const rec = store.head('b', 'k');
    return rec && store.bytes(rec, 0, rec.size - 1)!.toString();
  }

  async function put(store: Store, key: string, body: Buffer): Promise<void> {
    const blob = await store.writeBlob(bufferStream(body), body.length);
    await store.commitObject('b', key, () => record(key, [blob]));
  }

  async function recordPath(dir: string): Promise<string> {
    const bucketDir = join(dir, 'meta', 'objects', 'b');
    const [fan] = await readdir(bucketDir);
    const [file] = await readdir(join(bucketDir, fan!));
    return join(bucketDir, fan!, file!);
  }

  it('keeps small objects across a restart, byte for byte', async () => {
    const { dir, store } = await freshStore();
    const body = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256));
    await put(store, 'k', body);
    // The record file holds the raw bytes.
    expect((await readFile(await recordPath(dir))).includes(body)).toBe(true);
    const reopened = await open(dir);
    const rec = reopened.head('b', 'k')!;
    expect(reopened.bytes(rec, 0, rec.size - 1)!.equals(body)).toBe(true);
  });

  /** The record's slot files (`NAME.json`, `NAME.json.1`), those that exist. */
  async function slotFiles(dir: string): Promise<string[]> {
    const bucketDir = join(dir, 'meta', 'objects', 'b');
    const [fan] = await readdir(bucketDir);
    return (await readdir(join(bucketDir, fan!))).sort().map((f) => join(bucketDir, fan!, f));
  }

  it('rewrites a record in place in its two slot files, and removes both on delete', async () => {
    const { dir, store } = await freshStore();
    const inodes = new Set<number>();
    for (let i = 0; i < 20; i++) {
      await put(store, 'k', Buffer.from(`version ${i}`));
      for (const f of await slotFiles(dir)) inodes.add((await stat(f)).ino);
    }
    // One file for the first write, one for the second; every later write goes into them.
    expect(inodes.size).toBe(2);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    const [first, second] = await slotFiles(dir);
    // The frames alternate: the newest (seq 20) in the first slot, the one before in the second.
    expect([openFrame(await readFile(first!))!.seq, openFrame(await readFile(second!))!.seq]).toEqual([
      19, 20,
    ]);
    expect(text(store)).toBe('version 19');
    expect(text(await open(dir))).toBe('version 19');
    await store.deleteObject('b', 'k');
    expect(await slotFiles(dir)).toEqual([]);
    // Both files kept as spares, until a restart clears them.
    expect((await readdir(join(dir, 'tmp'))).length).toBe(2);
    const reopened = await open(dir);
    expect(reopened.head('b', 'k')).toBeUndefined();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('a slot torn by a crash loses to the other, and the next write goes into it', async () => {
    const fresh = await freshStore();
    const dir = fresh.dir;
    let store = fresh.store;
    await put(store, 'k', Buffer.from('one'));
    await put(store, 'k', Buffer.alloc(3000, 0x32));
    // The newest frame (in `.json.1`) cut short, and then one with a byte changed: a rewrite
    // a power cut interrupted.
    const [, newest] = await slotFiles(dir);
    const whole = await readFile(newest!);
    for (const torn of [whole.subarray(0, whole.length - 100), Buffer.from(whole).fill(0, 1000, 1001)]) {
      await writeFile(newest!, torn);
      store = await open(dir);
      const rec = store.head('b', 'k')!;
      expect(store.bytes(rec, 0, rec.size - 1)!.toString()).toBe('one');
    }
    // The next write replaces the torn slot, not the good one, and wins after a restart.
    await put(store, 'k', Buffer.from('three'));
    store = await open(dir);
    expect(text(store)).toBe('three');
    // Numbered after the last valid frame: the torn one's number never counted.
    expect(openFrame(await readFile(newest!))!.seq).toBe(2);
  });

  it('a first write a crash cut short leaves no key, and the key can be written', async () => {
    const fresh = await freshStore();
    const dir = fresh.dir;
    let store = fresh.store;
    await put(store, 'k', Buffer.from('whole'));
    const [only] = await slotFiles(dir);
    for (const torn of [Buffer.alloc(0), Buffer.alloc(4096), (await readFile(only!)).subarray(0, 30)]) {
      await writeFile(only!, torn);
      store = await open(dir);
      expect(store.head('b', 'k')).toBeUndefined();
    }
    await put(store, 'k', Buffer.from('again'));
    store = await open(dir);
    expect(text(store)).toBe('again');
  });

  it('loads a record written before frames (bare JSON), and writes the next one beside it', async () => {
    const fresh = await freshStore();
    const dir = fresh.dir;
    let store = fresh.store;
    await put(store, 'k', Buffer.from('framed'));
    const [only] = await slotFiles(dir);
    const legacy = Buffer.concat(
      encodeRecordFile(record('k', [{ id: 'x', size: 6, inline: Buffer.from('legacy') }])),
    );
    await writeFile(only!, legacy);
    store = await open(dir);
    let rec = store.head('b', 'k')!;
    expect(store.bytes(rec, 0, rec.size - 1)!.toString()).toBe('legacy');
    await put(store, 'k', Buffer.from('newer'));
    store = await open(dir);
    rec = store.head('b', 'k')!;
    expect(store.bytes(rec, 0, rec.size - 1)!.toString()).toBe('newer');
    expect(await readFile(only!)).toEqual(legacy);
  });

  it('holds exactly the record just written, long and short in turn', async () => {
    const { dir, store } = await freshStore();
    // Long and short records in turn, with and without inline bytes: the winning frame must be
    // exactly the record just written, now and after a restart.
    const sizes = [5000, 10, 3000, 1, 200_000, 2, 100_000, 4000, 3];
    for (const [i, size] of sizes.entries()) {
      await put(store, 'k', Buffer.alloc(size, 97 + i));
      const frames = await Promise.all(
        (await slotFiles(dir)).map(async (f) => openFrame(await readFile(f))!),
      );
      const newest = frames.reduce((a, b) => (b.seq > a.seq ? b : a));
      expect(newest.payload.equals(Buffer.concat(encodeRecordFile(store.head('b', 'k')!)))).toBe(true);
    }
    const reopened = await open(dir);
    const rec = reopened.head('b', 'k')!;
    expect(rec.size).toBe(3);
    expect(reopened.bytes(rec, 0, 2)!.equals(Buffer.alloc(3, 97 + 8))).toBe(true);
  });

  it('opens a data directory with stray files where directories are expected', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'k', Buffer.from('kept'));
    // What a file manager leaves behind.
    await writeFile(join(dir, 'blobs', '.DS_Store'), 'x');
    await writeFile(join(dir, 'meta', 'objects', 'b', '.DS_Store'), 'x');
    // What fsck has left after a power cut without a journal: a directory under a blob's name.
    await mkdir(join(dir, 'blobs', 'ab', 'ab0123'), { recursive: true });
    const reopened = await open(dir);
    await expect(stat(join(dir, 'blobs', 'ab', 'ab0123'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(text(reopened)).toBe('kept');
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
    // The crash: the object's record is on disk, the upload's removal is not.
    await (await diskBackends(dir, { log: false })).meta.saveUpload(leftover);
    const reopened = await open(dir);
    expect(reopened.listUploads('b')).toEqual([]);
    await expect(reopened.abortUpload('U1')).rejects.toMatchObject({ code: 'NoSuchUpload' });
    const rec = reopened.head('b', 'big')!;
    const parts: Buffer[] = [];
    for await (const c of reopened.read(rec, 0, rec.size - 1)) parts.push(c as Buffer);
    expect(Buffer.concat(parts).equals(bytes)).toBe(true);
    // And the leftover is gone for good.
    expect((await open(dir)).listUploads('b')).toEqual([]);
  });

  /** tmp/ replaced by a plain file while `fn` runs: moving a record there fails (ENOTDIR). */
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

  it('a DELETE whose removal fails leaves the record as it was, for later writes and a retry', async () => {
    const { dir, store } = await freshStore();
    for (let i = 1; i <= 5; i++) await put(store, 'k', Buffer.from(`v${i}`));
    expect(await withTmpBlocked(dir, () => store.deleteObject('b', 'k'))).toMatchObject({ code: 'ENOTDIR' });
    expect(text(store)).toBe('v5');
    // The next write goes where it belongs (not over the current slot), and wins after a restart.
    await put(store, 'k', Buffer.from('NEW'));
    expect(text(await open(dir))).toBe('NEW');
    // A failed DELETE retried removes the record for good.
    expect(await withTmpBlocked(dir, () => store.deleteObject('b', 'k'))).toBeDefined();
    await store.deleteObject('b', 'k');
    expect(await slotFiles(dir)).toEqual([]);
    expect(text(await open(dir))).toBeUndefined();
  });

  it('a DeleteBucket whose removal fails keeps the bucket, and its retry removes it for good', async () => {
    const { dir, store } = await freshStore();
    expect(await withTmpBlocked(dir, () => store.deleteBucket('b'))).toBeDefined();
    expect((await open(dir)).bucket('b')).toBeDefined();
    await store.deleteBucket('b');
    expect((await open(dir)).bucket('b')).toBeUndefined();
  });

  it('leaves out a record whose payload cannot be read, with a warning, and keeps the other slot', async () => {
    const fresh = await freshStore();
    const dir = fresh.dir;
    let store = fresh.store;
    await put(store, 'k', Buffer.from('only'));
    const [first] = await slotFiles(dir);
    // Bare JSON that is not JSON, where a record from before frames would be.
    await writeFile(first!, '{ not json');
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? '');
    process.on('warning', onWarning);
    try {
      store = await open(dir);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(store.head('b', 'k')).toBeUndefined();
    expect(warnings).toContain('S3_STORAGE_UNREADABLE_RECORD');
    // Kept on disk, and a new write does not touch it (it goes to the other slot).
    expect(await readFile(first!, 'utf8')).toBe('{ not json');
    await put(store, 'k', Buffer.from('again'));
    expect(text(await open(dir))).toBe('again');
  });

  it('forgets the objects of a bucket whose DeleteBucket a crash cut short, even if the name comes back', async () => {
    const { dir, store } = await freshStore();
    await put(store, 'stale', Buffer.alloc(100_000, 1));
    // The crash: DeleteBucket removed the bucket's record, not yet its objects.
    await rm(join(dir, 'meta', 'buckets', 'b.json'));
    const reopened = await open(dir);
    expect(reopened.listBuckets()).toEqual([]);
    await reopened.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
    const again = await open(dir);
    expect(again.head('b', 'stale')).toBeUndefined();
    // Its blob was collected too.
    const blobFiles: string[] = [];
    for (const fan of await readdir(join(dir, 'blobs')))
      blobFiles.push(...(await readdir(join(dir, 'blobs', fan))));
    expect(blobFiles).toEqual([]);
  });
});
