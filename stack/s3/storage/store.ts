// The storage engine behind the S3 operations: an in-memory index over a pluggable backend
// (memory or disk). Writes go blob first, record second, under a per-key lock, so readers
// see whole objects only (strong read-after-write) and concurrent writers serialize.
import { PassThrough, type Readable } from 'node:stream';
import { S3Error } from '../errors.ts';
import { compareKeys } from '../key-order.ts';
import { BucketIndex } from './bucket-index.ts';
import { KeyLock } from './key-lock.ts';
import type { Backends, BlobRef, BucketConfigs, BucketRecord, ObjectRecord, UploadRecord } from './types.ts';

export type StoreEvent =
  | { type: 'object-created'; bucket: string; key: string; record: ObjectRecord }
  | { type: 'object-removed'; bucket: string; key: string };

export class Store {
  readonly #backends: Backends;
  readonly #buckets = new Map<string, BucketRecord>();
  readonly #objects = new Map<string, BucketIndex>();
  readonly #uploads = new Map<string, UploadRecord>();
  readonly #lock = new KeyLock();
  readonly #readers = new Map<string, number>();
  readonly #pendingDelete = new Set<string>();
  readonly #onEvent: (e: StoreEvent) => void;

  private constructor(backends: Backends, onEvent: (e: StoreEvent) => void) {
    this.#backends = backends;
    this.#onEvent = onEvent;
  }

  static async open(backends: Backends, onEvent: (e: StoreEvent) => void = () => {}): Promise<Store> {
    const store = new Store(backends, onEvent);
    await backends.cleanup?.();
    const state = await backends.meta.load();
    for (const b of state.buckets) {
      store.#buckets.set(b.name, b);
      store.#objects.set(b.name, new BucketIndex());
    }
    const referenced = new Set<string>();
    for (const { bucket, record } of state.objects) {
      const index = store.#objects.get(bucket);
      if (!index) continue;
      index.load(record);
      for (const blob of record.blobs) referenced.add(blob.id);
    }
    for (const u of state.uploads) {
      if (!store.#buckets.has(u.bucket)) continue;
      store.#uploads.set(u.uploadId, u);
      for (const p of Object.values(u.parts)) referenced.add(p.blob.id);
    }
    // Blobs written before a crash but never committed to a record.
    for (const id of await backends.blobs.list()) {
      if (!referenced.has(id)) await backends.blobs.delete(id);
    }
    return store;
  }

  // ---- buckets

  listBuckets(): BucketRecord[] {
    return [...this.#buckets.values()].sort((a, b) => compareKeys(a.name, b.name));
  }

  bucket(name: string): BucketRecord | undefined {
    return this.#buckets.get(name);
  }

  requireBucket(name: string): BucketRecord {
    const b = this.#buckets.get(name);
    if (!b) throw new S3Error('NoSuchBucket', undefined, { BucketName: name });
    return b;
  }

  async createBucket(rec: BucketRecord): Promise<void> {
    await this.#lock.run(`bucket\0${rec.name}`, async () => {
      if (this.#buckets.has(rec.name))
        throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: rec.name });
      await this.#backends.meta.saveBucket(rec);
      this.#buckets.set(rec.name, rec);
      this.#objects.set(rec.name, new BucketIndex());
    });
  }

  async deleteBucket(name: string): Promise<void> {
    await this.#lock.run(`bucket\0${name}`, async () => {
      this.requireBucket(name);
      if ((this.#objects.get(name)?.size ?? 0) > 0) {
        throw new S3Error('BucketNotEmpty', undefined, { BucketName: name });
      }
      // As on AWS, in-progress multipart uploads do not block deletion; they go with the bucket.
      for (const u of this.listUploads(name)) await this.abortUpload(u.uploadId);
      await this.#backends.meta.deleteBucket(name);
      this.#buckets.delete(name);
      this.#objects.delete(name);
    });
  }

  async updateBucketConfigs(name: string, change: (configs: BucketConfigs) => BucketConfigs): Promise<void> {
    await this.#lock.run(`bucket\0${name}`, async () => {
      const b = this.requireBucket(name);
      const next = { ...b, configs: change({ ...b.configs }) };
      await this.#backends.meta.saveBucket(next);
      this.#buckets.set(name, next);
    });
  }

  // ---- objects

  head(bucket: string, key: string): ObjectRecord | undefined {
    return this.#objects.get(bucket)?.records.get(key);
  }

  /** Keys of a bucket in byte order (shared array: do not mutate). */
  keys(bucket: string): string[] {
    return this.#objects.get(bucket)?.keys() ?? [];
  }

  objectCount(bucket: string): number {
    return this.#objects.get(bucket)?.size ?? 0;
  }

  /** Stores bytes durably; they become visible only through a later commit. */
  writeBlob(body: Readable, sizeHint?: number): Promise<BlobRef> {
    return this.#backends.blobs.write(body, sizeHint);
  }

  async discardBlob(blob: BlobRef): Promise<void> {
    await this.#releaseBlob(blob.id);
  }

  /**
   * Replaces (or creates) an object atomically under the key's lock. `build` sees the
   * current record and may throw (conditional writes); then nothing changes.
   */
  async commitObject(
    bucket: string,
    key: string,
    build: (existing: ObjectRecord | undefined) => ObjectRecord,
  ): Promise<ObjectRecord> {
    return this.#lock.run(`object\0${bucket}\0${key}`, async () => {
      const index = this.#objects.get(bucket);
      if (!index) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
      const existing = index.records.get(key);
      const rec = build(existing);
      await this.#backends.meta.saveObject(bucket, rec);
      index.set(rec);
      if (existing) await this.#releaseBlobs(existing.blobs, rec.blobs);
      this.#onEvent({ type: 'object-created', bucket, key, record: rec });
      return rec;
    });
  }

  /** Changes an existing object's record without touching its bytes (tagging). */
  async updateObject(
    bucket: string,
    key: string,
    change: (rec: ObjectRecord) => ObjectRecord,
  ): Promise<ObjectRecord> {
    return this.#lock.run(`object\0${bucket}\0${key}`, async () => {
      const index = this.#objects.get(bucket);
      const existing = index?.records.get(key);
      if (!index || !existing) throw new S3Error('NoSuchKey', undefined, { Key: key });
      const rec = change(existing);
      await this.#backends.meta.saveObject(bucket, rec);
      index.set(rec);
      return rec;
    });
  }

  async deleteObject(bucket: string, key: string): Promise<boolean> {
    return this.#lock.run(`object\0${bucket}\0${key}`, async () => {
      const index = this.#objects.get(bucket);
      const existing = index?.records.get(key);
      if (!index || !existing) return false;
      await this.#backends.meta.deleteObject(bucket, key);
      index.delete(key);
      await this.#releaseBlobs(existing.blobs, []);
      this.#onEvent({ type: 'object-removed', bucket, key });
      return true;
    });
  }

  /**
   * Bytes [start, end] of a one-blob object when the backend holds them in memory (the buffer
   * stays valid after a delete: blobs are never mutated), else undefined: use `read`.
   */
  bytes(rec: ObjectRecord, start: number, end: number): Buffer | undefined {
    const only = rec.blobs.length === 1 ? rec.blobs[0]! : undefined;
    if (!only || end < start || end >= only.size) return undefined;
    return this.#backends.blobs.bytes?.(only, start, end);
  }

  /** Bytes [start, end] of an object across its blobs; blobs stay readable until the stream ends. */
  read(rec: ObjectRecord, start: number, end: number): Readable {
    const ids = rec.blobs.map((b) => b.id);
    for (const id of ids) this.#readers.set(id, (this.#readers.get(id) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const id of ids) {
        const n = (this.#readers.get(id) ?? 1) - 1;
        if (n > 0) this.#readers.set(id, n);
        else {
          this.#readers.delete(id);
          if (this.#pendingDelete.delete(id)) void this.#backends.blobs.delete(id);
        }
      }
    };
    // One blob (every non-multipart object): hand out the backend's stream itself, saving a
    // PassThrough and an async iteration per read.
    const only = rec.blobs.length === 1 ? rec.blobs[0]! : undefined;
    if (only && only.size > 0 && end >= start && end < only.size) {
      const src = this.#backends.blobs.read(only, start, end);
      src.once('close', release);
      return src;
    }
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    out.on('close', release);
    const pump = async () => {
      let offset = 0;
      for (const blob of rec.blobs) {
        const bStart = offset;
        const bEnd = offset + blob.size - 1;
        offset += blob.size;
        if (bEnd < start || bStart > end || blob.size === 0) continue;
        const from = Math.max(start, bStart) - bStart;
        const to = Math.min(end, bEnd) - bStart;
        for await (const chunk of this.#backends.blobs.read(blob, from, to)) {
          if (out.destroyed) return;
          if (!out.write(chunk)) {
            await new Promise<void>((resolve) => {
              const done = () => {
                out.off('drain', done);
                out.off('close', done);
                resolve();
              };
              out.on('drain', done);
              out.on('close', done);
            });
          }
        }
      }
      out.end();
    };
    pump().catch((err: Error) => out.destroy(err));
    return out;
  }

  async #releaseBlob(id: string): Promise<void> {
    if (this.#readers.has(id)) this.#pendingDelete.add(id);
    else await this.#backends.blobs.delete(id);
  }

  async #releaseBlobs(old: BlobRef[], keep: BlobRef[]): Promise<void> {
    const kept = new Set(keep.map((b) => b.id));
    for (const b of old) if (!kept.has(b.id)) await this.#releaseBlob(b.id);
  }

  // ---- multipart uploads

  async createUpload(rec: UploadRecord): Promise<void> {
    this.requireBucket(rec.bucket);
    await this.#backends.meta.saveUpload(rec);
    this.#uploads.set(rec.uploadId, rec);
  }

  upload(bucket: string, key: string, uploadId: string): UploadRecord {
    const u = this.#uploads.get(uploadId);
    if (!u || u.bucket !== bucket || u.key !== key) {
      throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
    }
    return u;
  }

  listUploads(bucket: string): UploadRecord[] {
    return [...this.#uploads.values()]
      .filter((u) => u.bucket === bucket)
      .sort(
        (a, b) =>
          compareKeys(a.key, b.key) || a.initiated - b.initiated || compareKeys(a.uploadId, b.uploadId),
      );
  }

  async putPart(
    bucket: string,
    key: string,
    uploadId: string,
    part: UploadRecord['parts'][number],
  ): Promise<void> {
    await this.#lock.run(`upload\0${uploadId}`, async () => {
      let u: UploadRecord;
      try {
        u = this.upload(bucket, key, uploadId);
      } catch (err) {
        await this.#releaseBlob(part.blob.id);
        throw err;
      }
      const old = u.parts[part.partNumber];
      const next = { ...u, parts: { ...u.parts, [part.partNumber]: part } };
      await this.#backends.meta.saveUpload(next);
      this.#uploads.set(uploadId, next);
      if (old) await this.#releaseBlob(old.blob.id);
    });
  }

  /**
   * Turns an upload into an object under both locks. `build` validates the parts list and
   * the object's preconditions and returns the record; parts not used are discarded.
   */
  async completeUpload(
    bucket: string,
    key: string,
    uploadId: string,
    build: (upload: UploadRecord, existing: ObjectRecord | undefined) => Promise<ObjectRecord>,
  ): Promise<ObjectRecord> {
    return this.#lock.run(`upload\0${uploadId}`, async () => {
      const u = this.upload(bucket, key, uploadId);
      let built: ObjectRecord | undefined;
      const rec = await this.commitObjectAsync(bucket, key, async (existing) => {
        built = await build(u, existing);
        return built;
      });
      this.#uploads.delete(uploadId);
      await this.#backends.meta.deleteUpload(uploadId);
      const used = new Set(rec.blobs.map((b) => b.id));
      for (const p of Object.values(u.parts)) if (!used.has(p.blob.id)) await this.#releaseBlob(p.blob.id);
      return rec;
    });
  }

  /** commitObject with an async builder (Complete reads parts to compute checksums). */
  async commitObjectAsync(
    bucket: string,
    key: string,
    build: (existing: ObjectRecord | undefined) => Promise<ObjectRecord>,
  ): Promise<ObjectRecord> {
    return this.#lock.run(`object\0${bucket}\0${key}`, async () => {
      const index = this.#objects.get(bucket);
      if (!index) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
      const existing = index.records.get(key);
      const rec = await build(existing);
      await this.#backends.meta.saveObject(bucket, rec);
      index.set(rec);
      if (existing) await this.#releaseBlobs(existing.blobs, rec.blobs);
      this.#onEvent({ type: 'object-created', bucket, key, record: rec });
      return rec;
    });
  }

  async abortUpload(uploadId: string): Promise<void> {
    await this.#lock.run(`upload\0${uploadId}`, async () => {
      const u = this.#uploads.get(uploadId);
      if (!u) throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
      this.#uploads.delete(uploadId);
      await this.#backends.meta.deleteUpload(uploadId);
      for (const p of Object.values(u.parts)) await this.#releaseBlob(p.blob.id);
    });
  }

  /** Reads one upload part's bytes (UploadPart checksum recomputation, FULL_OBJECT CRCs). */
  readBlobs(blobs: BlobRef[]): Readable {
    const size = blobs.reduce((n, b) => n + b.size, 0);
    return this.read({ blobs } as ObjectRecord, 0, size - 1);
  }
}
