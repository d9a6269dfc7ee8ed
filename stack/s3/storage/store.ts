// The storage engine behind the S3 operations: an in-memory index over a pluggable backend
// (memory or disk). Writes go blob first, record second, under a per-key lock, so readers
// see whole objects only (strong read-after-write) and concurrent writers serialize.
import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { S3Error } from '../errors.ts';
import { compareKeys } from '../key-order.ts';
import { BucketIndex } from './bucket-index.ts';
import { KeyLock } from './key-lock.ts';
import type { Backends, BlobRef, BucketConfigs, BucketRecord, ObjectRecord, UploadRecord } from './types.ts';

/** What a DELETE did, for its response headers. */
export interface DeleteOutcome {
  /** A current object stopped being visible (or the named version was found and removed). */
  removed: boolean;
  /** The version created (a delete marker) or removed; 'null' for the null version. */
  versionId?: string;
  deleteMarker?: boolean;
}

/** AWS version ids are opaque 32-character URL-safe strings. */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

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
  readonly #now: () => number;
  /** Object writes under way, per bucket (DeleteBucket waits for them). */
  readonly #writes = new Map<string, Set<Promise<unknown>>>();
  /** Per bucket, per key: versions other than the current object (noncurrent ones, delete markers), newest first. */
  readonly #history = new Map<string, Map<string, ObjectRecord[]>>();

  private constructor(backends: Backends, onEvent: (e: StoreEvent) => void, now: () => number) {
    this.#backends = backends;
    this.#onEvent = onEvent;
    this.#now = now;
  }

  static async open(
    backends: Backends,
    onEvent: (e: StoreEvent) => void = () => {},
    now: () => number = Date.now,
  ): Promise<Store> {
    const store = new Store(backends, onEvent, now);
    await backends.cleanup?.();
    const state = await backends.meta.load();
    for (const b of state.buckets) {
      store.#buckets.set(b.name, b);
      store.#objects.set(b.name, new BucketIndex());
    }
    const referenced = new Set<string>();
    for (const { bucket, key, versions } of state.objects) {
      // Blobs of a bucket whose record could not be read are kept with its records, for the
      // day the bucket is back (see DiskMeta.load).
      for (const v of versions) for (const blob of v.blobs) referenced.add(blob.id);
      const index = store.#objects.get(bucket);
      if (!index) continue;
      store.#install(bucket, index, key, versions, true);
    }
    for (const u of state.uploads) {
      if (!store.#buckets.has(u.bucket)) {
        for (const p of Object.values(u.parts)) referenced.add(p.blob.id);
        continue;
      }
      // A completed upload whose record a crash kept (Complete commits the object, then
      // removes the upload): its parts belong to the object now, and aborting it would delete
      // them. Blob ids are never shared otherwise.
      if (Object.values(u.parts).some((p) => referenced.has(p.blob.id))) {
        await backends.meta.deleteUpload(u.uploadId);
        continue;
      }
      store.#uploads.set(u.uploadId, u);
      for (const p of Object.values(u.parts)) referenced.add(p.blob.id);
    }
    // Blobs written before a crash but never committed to a record.
    for (const id of await backends.blobs.list()) {
      if (!referenced.has(id)) await backends.blobs.delete(id);
    }
    return store;
  }

  /**
   * Closes the backends (a disk store's record log: its appends end, a compaction under way is
   * abandoned). Later object writes fail.
   */
  async close(): Promise<void> {
    await this.#backends.close?.();
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
      // Versioned buckets must be empty of every version and delete marker too.
      if ((this.#objects.get(name)?.size ?? 0) > 0 || this.#hasHistory(name)) {
        throw new S3Error('BucketNotEmpty', undefined, { BucketName: name });
      }
      // Object writes take only their key's lock. Hide the bucket first (new writes get
      // NoSuchBucket), then let the writes already under way finish: if one landed, the
      // bucket is not empty after all and comes back as it was.
      const record = this.#buckets.get(name)!;
      const index = this.#objects.get(name)!;
      this.#buckets.delete(name);
      this.#objects.delete(name);
      await Promise.allSettled([...(this.#writes.get(name) ?? [])]);
      const history = this.#history.get(name);
      const restore = () => {
        this.#buckets.set(name, record);
        this.#objects.set(name, index);
      };
      if (index.size > 0 || (history?.size ?? 0) > 0) {
        restore();
        throw new S3Error('BucketNotEmpty', undefined, { BucketName: name });
      }
      try {
        // As on AWS, in-progress multipart uploads do not block deletion; they go with the bucket.
        for (const u of this.listUploads(name)) await this.abortUpload(u.uploadId);
        await this.#backends.meta.deleteBucket(name);
      } catch (err) {
        restore();
        throw err;
      }
      this.#history.delete(name);
    });
  }

  /** Runs an object write, known to DeleteBucket until it settles. */
  #tracked<T>(bucket: string, write: () => Promise<T>): Promise<T> {
    const p = write();
    let set = this.#writes.get(bucket);
    if (!set) {
      set = new Set();
      this.#writes.set(bucket, set);
    }
    set.add(p);
    const done = () => {
      set.delete(p);
      if (set.size === 0 && this.#writes.get(bucket) === set) this.#writes.delete(bucket);
    };
    p.then(done, done);
    return p;
  }

  async updateBucketConfigs(name: string, change: (configs: BucketConfigs) => BucketConfigs): Promise<void> {
    await this.#lock.run(`bucket\0${name}`, async () => {
      const b = this.requireBucket(name);
      const next = { ...b, configs: change({ ...b.configs }) };
      await this.#backends.meta.saveBucket(next);
      this.#buckets.set(name, next);
    });
  }

  // ---- objects and their versions

  /** The current object (latest version, not a delete marker). */
  head(bucket: string, key: string): ObjectRecord | undefined {
    return this.#objects.get(bucket)?.records.get(key);
  }

  /** Keys with a current object, in byte order (shared array: do not mutate). */
  keys(bucket: string): string[] {
    return this.#objects.get(bucket)?.keys() ?? [];
  }

  objectCount(bucket: string): number {
    return this.#objects.get(bucket)?.size ?? 0;
  }

  /** Every version of a key, newest first: the current object, then noncurrent ones and markers. */
  versions(bucket: string, key: string): ObjectRecord[] {
    const current = this.#objects.get(bucket)?.records.get(key);
    const older = this.#history.get(bucket)?.get(key) ?? [];
    return current ? [current, ...older] : [...older];
  }

  /** One version by id (`null` names the version written without versioning). */
  version(bucket: string, key: string, versionId: string): ObjectRecord | undefined {
    const id = versionId === 'null' ? undefined : versionId;
    const current = this.#objects.get(bucket)?.records.get(key);
    if (current && current.versionId === id) return current;
    return this.#history
      .get(bucket)
      ?.get(key)
      ?.find((v) => v.versionId === id);
  }

  /** Keys with any version (objects or delete markers), in byte order. */
  versionedKeys(bucket: string): string[] {
    const older = this.#history.get(bucket);
    if (!older || older.size === 0) return this.keys(bucket);
    const all = new Set(this.keys(bucket));
    for (const k of older.keys()) all.add(k);
    return [...all].sort(compareKeys);
  }

  /** Whether any version other than a current object exists (DeleteBucket needs none). */
  #hasHistory(bucket: string): boolean {
    return (this.#history.get(bucket)?.size ?? 0) > 0;
  }

  /** Stores bytes durably; they become visible only through a later commit. */
  writeBlob(body: Readable, sizeHint?: number): Promise<BlobRef> {
    return this.#backends.blobs.write(body, sizeHint);
  }

  async discardBlob(blob: BlobRef): Promise<void> {
    await this.#releaseBlob(blob);
  }

  /**
   * Writes a new version of a key atomically under the key's lock. `build` sees the current
   * object and may throw (conditional writes); then nothing changes. The bucket's versioning
   * state decides what happens to what was there: replaced (never versioned), kept as a
   * noncurrent version (Enabled), or replaced if it was the `null` version (Suspended).
   */
  async commitObject(
    bucket: string,
    key: string,
    build: (existing: ObjectRecord | undefined) => ObjectRecord,
  ): Promise<ObjectRecord> {
    return this.commitObjectAsync(bucket, key, async (existing) => build(existing));
  }

  /** commitObject with an async builder (Complete reads parts to compute checksums). */
  async commitObjectAsync(
    bucket: string,
    key: string,
    build: (existing: ObjectRecord | undefined) => Promise<ObjectRecord>,
  ): Promise<ObjectRecord> {
    return this.#tracked(bucket, () =>
      this.#lock.run(`object\0${bucket}\0${key}`, async () => {
        const index = this.#objects.get(bucket);
        if (!index) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
        const built = await build(index.records.get(key));
        const rec = await this.#addVersion(bucket, key, built);
        this.#onEvent({ type: 'object-created', bucket, key, record: rec });
        return rec;
      }),
    );
  }

  /** Changes one version's record without touching its bytes (tagging, a computed checksum). */
  async updateObject(
    bucket: string,
    key: string,
    change: (rec: ObjectRecord) => ObjectRecord,
    versionId?: string,
  ): Promise<ObjectRecord> {
    return this.#lock.run(`object\0${bucket}\0${key}`, async () => {
      const all = this.versions(bucket, key);
      const id = versionId === 'null' ? undefined : versionId;
      const at =
        versionId === undefined ? (all[0]?.deleteMarker ? -1 : 0) : all.findIndex((v) => v.versionId === id);
      const existing = at >= 0 ? all[at] : undefined;
      if (!existing) throw new S3Error('NoSuchKey', undefined, { Key: key });
      const rec = change(existing);
      all[at] = rec;
      await this.#saveKey(bucket, key, all);
      return rec;
    });
  }

  /**
   * DELETE without a version id. Never versioned: the object goes. Enabled: a delete marker
   * becomes the latest version (even when there was no object, as on AWS). Suspended: the
   * `null` version goes and a `null` delete marker takes its place. `onlyIf` is checked
   * under the key's lock against the current object (lifecycle: only what it planned for).
   */
  async deleteObject(
    bucket: string,
    key: string,
    onlyIf?: (current: ObjectRecord | undefined) => boolean,
  ): Promise<DeleteOutcome> {
    return this.#tracked(bucket, () => this.#deleteObject(bucket, key, onlyIf));
  }

  #deleteObject(
    bucket: string,
    key: string,
    onlyIf?: (current: ObjectRecord | undefined) => boolean,
  ): Promise<DeleteOutcome> {
    return this.#lock.run(`object\0${bucket}\0${key}`, async () => {
      const status = this.#buckets.get(bucket)?.configs.versioning;
      const all = this.versions(bucket, key);
      if (onlyIf && !onlyIf(this.head(bucket, key))) return { removed: false };
      const hadCurrent = all[0] !== undefined && !all[0].deleteMarker;
      if (!status) {
        if (!hadCurrent) return { removed: false };
        await this.#saveKey(bucket, key, all.slice(1));
        await this.#releaseBlobs(all[0]!.blobs, []);
        this.#onEvent({ type: 'object-removed', bucket, key });
        return { removed: true };
      }
      const marker: ObjectRecord = {
        key,
        versionId: status === 'Enabled' ? newVersionId() : undefined,
        deleteMarker: true,
        size: 0,
        etag: '',
        lastModified: Math.floor(this.#now() / 1000) * 1000,
        contentType: '',
        userMeta: {},
        tags: [],
        storageClass: 'STANDARD',
        blobs: [],
      };
      const dropped = status === 'Suspended' ? all.filter((v) => v.versionId === undefined) : [];
      const kept = status === 'Suspended' ? all.filter((v) => v.versionId !== undefined) : all;
      await this.#saveKey(bucket, key, [marker, ...kept]);
      for (const v of dropped) await this.#releaseBlobs(v.blobs, []);
      if (hadCurrent) this.#onEvent({ type: 'object-removed', bucket, key });
      return { removed: hadCurrent, deleteMarker: true, versionId: marker.versionId ?? 'null' };
    });
  }

  /**
   * DELETE with a version id: that version (or delete marker) is gone for good. When it was
   * the latest, the next newest version becomes current again. `onlyIf` is checked under the
   * key's lock (lifecycle: only the version it planned for, still in the state it planned on).
   */
  async deleteVersion(
    bucket: string,
    key: string,
    versionId: string,
    onlyIf?: (all: ObjectRecord[], at: number) => boolean,
  ): Promise<DeleteOutcome> {
    return this.#lock.run(`object\0${bucket}\0${key}`, async () => {
      const id = versionId === 'null' ? undefined : versionId;
      const all = this.versions(bucket, key);
      const at = all.findIndex((v) => v.versionId === id);
      if (at < 0 || (onlyIf && !onlyIf(all, at))) return { removed: false, versionId };
      const [gone] = all.splice(at, 1);
      await this.#saveKey(bucket, key, all);
      await this.#releaseBlobs(gone!.blobs, []);
      if (at === 0) {
        const now = all[0];
        if (now && !now.deleteMarker) this.#onEvent({ type: 'object-created', bucket, key, record: now });
        else if (!gone!.deleteMarker) this.#onEvent({ type: 'object-removed', bucket, key });
      }
      return { removed: true, versionId, deleteMarker: gone!.deleteMarker === true };
    });
  }

  async #addVersion(bucket: string, key: string, built: ObjectRecord): Promise<ObjectRecord> {
    const status = this.#buckets.get(bucket)?.configs.versioning;
    const all = this.versions(bucket, key);
    let rec: ObjectRecord;
    let kept: ObjectRecord[];
    let dropped: ObjectRecord[];
    if (status === 'Enabled') {
      rec = { ...built, versionId: newVersionId() };
      kept = all;
      dropped = [];
    } else {
      rec = { ...built };
      delete rec.versionId;
      // Never versioned: only the current object can be there. Suspended: the new object is
      // the `null` version and replaces the old one, current or not.
      dropped = status ? all.filter((v) => v.versionId === undefined) : all.slice(0, 1);
      kept = status ? all.filter((v) => v.versionId !== undefined) : all.slice(1);
      if (!status && all[0]?.deleteMarker) {
        dropped = [];
        kept = all;
      }
    }
    delete rec.deleteMarker;
    await this.#saveKey(bucket, key, [rec, ...kept]);
    for (const v of dropped) await this.#releaseBlobs(v.blobs, rec.blobs);
    return rec;
  }

  /** Persists then installs every version of a key (newest first) in the indexes. */
  async #saveKey(bucket: string, key: string, all: ObjectRecord[]): Promise<void> {
    const index = this.#objects.get(bucket);
    if (!index) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
    await this.#backends.meta.saveKey(bucket, key, all);
    this.#install(bucket, index, key, all);
  }

  #install(bucket: string, index: BucketIndex, key: string, all: ObjectRecord[], loading = false): void {
    const current = all[0] && !all[0].deleteMarker ? all[0] : undefined;
    const older = current ? all.slice(1) : all;
    if (current) {
      if (loading) index.load(current);
      else index.set(current);
    } else index.delete(key);
    let byKey = this.#history.get(bucket);
    if (older.length) {
      if (!byKey) {
        byKey = new Map();
        this.#history.set(bucket, byKey);
      }
      byKey.set(key, older);
    } else byKey?.delete(key);
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

  /**
   * Best effort: it runs after a commit, which must not turn into a failure (the caller would
   * then discard the blob it just committed). A blob left behind is collected at next open.
   */
  async #releaseBlob(blob: BlobRef): Promise<void> {
    // An inline blob's bytes are part of its record: gone with it, nothing to delete (asking
    // the disk to remove a file that never existed cost two failed stat calls per overwrite).
    if (blob.inline !== undefined) return;
    const { id } = blob;
    if (this.#readers.has(id)) this.#pendingDelete.add(id);
    else await this.#backends.blobs.delete(id).catch(() => {});
  }

  async #releaseBlobs(old: BlobRef[], keep: BlobRef[]): Promise<void> {
    if (old.length === 0) return;
    const kept = new Set(keep.map((b) => b.id));
    for (const b of old) if (!kept.has(b.id)) await this.#releaseBlob(b);
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
        await this.#releaseBlob(part.blob);
        throw err;
      }
      const old = u.parts[part.partNumber];
      const next = { ...u, parts: { ...u.parts, [part.partNumber]: part } };
      await this.#backends.meta.saveUpload(next);
      this.#uploads.set(uploadId, next);
      if (old) await this.#releaseBlob(old.blob);
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
      for (const p of Object.values(u.parts)) if (!used.has(p.blob.id)) await this.#releaseBlob(p.blob);
      return rec;
    });
  }

  async abortUpload(uploadId: string): Promise<void> {
    await this.#lock.run(`upload\0${uploadId}`, async () => {
      const u = this.#uploads.get(uploadId);
      if (!u) throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
      // Forgotten once its removal is durable: a failed one leaves it listed, for a retry.
      await this.#backends.meta.deleteUpload(uploadId);
      this.#uploads.delete(uploadId);
      for (const p of Object.values(u.parts)) await this.#releaseBlob(p.blob);
    });
  }

  /** Reads one upload part's bytes (UploadPart checksum recomputation, FULL_OBJECT CRCs). */
  readBlobs(blobs: BlobRef[]): Readable {
    const size = blobs.reduce((n, b) => n + b.size, 0);
    return this.read({ blobs } as ObjectRecord, 0, size - 1);
  }
}
