// Disk storage. No file name is ever derived from a client-chosen string except validated
// bucket names: objects are files named by sha256 of their key (the key lives inside the
// JSON record), blobs and uploads by ids we generate. Blobs are written to tmp/, fsynced and
// renamed into place. An object's or upload's record is acknowledged once appended to the
// record log (record-log.ts), and reaches its own files at the log's checkpoints; bucket
// records are written to theirs directly. Record files are written, in turn, into two slot
// files whose frames carry a CRC and a sequence number (DiskLayout.writeAtomic). Either way a
// crash leaves the old or the new version, never a partial one; blobs no record points at are
// collected at start.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobFile } from './blob-writer.ts';
import { bufferStream, copyChunks } from './buffer-stream.ts';
import { FileRangeStream } from './file-range-stream.ts';
import { decodeRecordFile, encodeRecordFile } from './record-file.ts';
import { openFrame } from './record-frame.ts';
import { RecordLog } from './record-log.ts';
import { retireRecords, warnUnsynced, writeRecord } from './record-writer.ts';
import type {
  Backends,
  BlobBackend,
  BlobRef,
  BucketRecord,
  LoadedState,
  MetaBackend,
  ObjectRecord,
  UploadRecord,
} from './types.ts';

const INLINE_MAX = 64 * 1024;

/** Spare record files kept for reuse (see DiskLayout.#spares): a bound on tmp/'s size. */
const MAX_SPARES = 64;

function fanout(id: string): string {
  return id.slice(0, 2);
}

/** Makes a directory's entries (a rename into it, a new file) durable. */
async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A directory's entries; none if it does not exist or is not a directory (a stray file). */
function existing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

class DiskLayout {
  readonly root: string;
  readonly tmp: string;
  readonly blobs: string;
  readonly buckets: string;
  readonly objects: string;
  readonly uploads: string;

  constructor(root: string) {
    this.root = root;
    this.tmp = join(root, 'tmp');
    this.blobs = join(root, 'blobs');
    this.buckets = join(root, 'meta', 'buckets');
    this.objects = join(root, 'meta', 'objects');
    this.uploads = join(root, 'meta', 'uploads');
  }

  tempPath(): string {
    return join(this.tmp, randomUUID());
  }

  /** Directories a new layout created, synced before the first write (not at start). */
  #newDirs: string[] = [];
  #layoutSynced: Promise<void> | undefined;

  syncBeforeFirstWrite(dirs: string[]): void {
    this.#newDirs = dirs;
  }

  /**
   * Resolves once a new layout's directories are on disk: later writes sync only the
   * directories they touch, so an acknowledged write must not sit in a directory whose own
   * entry could vanish in a power cut. Every write awaits it; only the first pays. A failed
   * sync is treated as a failed directory sync after a write: said, not fatal.
   */
  layoutDurable(): Promise<void> | undefined {
    if (this.#newDirs.length === 0) return undefined;
    this.#layoutSynced ??= (async () => {
      for (const d of this.#newDirs) await fsyncDir(d);
    })().catch((err: NodeJS.ErrnoException) => warnUnsynced(err));
    return this.#layoutSynced;
  }

  /**
   * Files in tmp/ whose contents are garbage (removed records), kept to become new slot files
   * instead of creating new ones. ext4 without a journal refuses to reuse an inode freed in
   * the last minute and scans past every such inode on each allocation, which under steady
   * create-and-delete grew to a quarter of a small PUT's server time.
   */
  readonly #spares: string[] = [];

  /** Takes over `path` (already in tmp/) as a spare, or removes it when the pool is full. */
  async #keepSpare(path: string): Promise<void> {
    if (this.#spares.length < MAX_SPARES) this.#spares.push(path);
    else await unlink(path).catch(() => {});
  }

  /** Each record's two slot files, as loaded or last written, by the record's path. */
  readonly #slots = new Map<string, Slots>();

  /**
   * The slots of `path`: as noted, or read from disk when a failed write or removal left them
   * unknown (the worker may have got part of the way).
   */
  #slotsOf(path: string): Slots | undefined {
    const st = this.#slots.get(path);
    if (!st?.unknown) return st;
    const files = ([0, 1] as const).map((i) => {
      try {
        return readFileSync(slotPath(path, i));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    });
    const fresh = pickSlot(files).st;
    if (fresh.has[0] || fresh.has[1]) this.#slots.set(path, fresh);
    else this.#slots.delete(path);
    return fresh.has[0] || fresh.has[1] ? fresh : undefined;
  }

  /**
   * Replaces the record at `path` with `data`, durably. A record lives in two slot files,
   * `path` and `path.1`; a write goes to the one not holding the current record, as a frame
   * with the next sequence number (record-frame.ts). Once both exist, an overwrite is one
   * in-place write and one fdatasync: no new file, rename or directory sync, which had been
   * half of a small PUT's time on disk. A crash mid-write tears only the slot being written,
   * which then fails its CRC at load, and the other slot's record wins: the old or the new
   * record, never a mix.
   * Callers serialize writes to one `path` (the store's key, bucket and upload locks, or the
   * record log's checkpoints). `durable: false` leaves the syncing to the caller (a record
   * log's checkpoint, which syncs the filesystem once for all its writes).
   */
  async writeAtomic(path: string, data: string | Buffer | Buffer[], durable = true): Promise<void> {
    await this.layoutDurable();
    const chunks = typeof data === 'string' ? [Buffer.from(data)] : Array.isArray(data) ? data : [data];
    for (let attempt = 1; ; attempt++) {
      const st = this.#slotsOf(path) ?? { seq: 0, current: -1, has: [false, false] };
      const target = st.current === 0 ? 1 : 0;
      const create = !st.has[target];
      const spare = create ? this.#spares.pop() : undefined;
      try {
        await writeRecord(chunks, { path: slotPath(path, target), create, spare, seq: st.seq + 1, durable });
      } catch (err) {
        // The worker may have got part of the way: the next use reads the slots back. A slot
        // file that exists where none was noted (a creation never overwrites one) is read
        // back at once and the write tried again.
        this.#slots.set(path, { ...st, unknown: true });
        if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt === 1) continue;
        throw err;
      }
      this.#slots.set(path, {
        seq: st.seq + 1,
        current: target,
        has: target === 0 ? [true, st.has[1]] : [st.has[0], true],
      });
      return;
    }
  }

  /** Removes the record at `path` (both slots, the older first), durably; absent is fine. */
  async retire(path: string, durable = true): Promise<void> {
    await this.layoutDurable();
    const st = this.#slotsOf(path);
    if (!st) return;
    const order: (0 | 1)[] = st.current === 1 ? [0, 1] : [1, 0];
    const paths = order.filter((i) => st.has[i]).map((i) => slotPath(path, i));
    const spares = paths.map(() => this.tempPath());
    let kept: boolean[];
    try {
      kept = await retireRecords(paths, spares, durable);
    } catch (err) {
      // Some files may be gone, some not: read back at the next use.
      this.#slots.set(path, { ...st, unknown: true });
      throw err;
    }
    this.#slots.delete(path);
    for (const [i, k] of kept.entries()) if (k) await this.#keepSpare(spares[i]!);
  }

  /** Forgets what is known of `path`'s slots: they are read from disk at the next use. */
  reread(path: string): void {
    this.#slots.set(path, { seq: 0, current: -1, has: [false, false], unknown: true });
  }

  /** Forgets the slots of every record under `dir` (removed as a whole). */
  forget(dir: string): void {
    const prefix = dir + sep;
    for (const p of this.#slots.keys()) if (p.startsWith(prefix)) this.#slots.delete(p);
  }

  /**
   * The records in `dir` (files `NAME.json` and `NAME.json.1`), each the winning slot's payload
   * as `decode` reads it, and noted for the writes to come. A slot whose payload cannot be
   * decoded loses to the other; a record with neither is left out, its path added to
   * `unreadable`. Synchronous: see DiskMeta.load.
   */
  loadRecords<T>(dir: string, decode: (payload: Buffer) => T, unreadable: string[]): T[] {
    const names = new Set(existing(dir));
    const out: T[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) {
        // A second slot without a first is still a record.
        if (!name.endsWith('.json.1') || names.has(name.slice(0, -2))) continue;
      }
      const path = join(dir, name.endsWith('.1') ? name.slice(0, -2) : name);
      const files = ([0, 1] as const).map((i) =>
        names.has(basename(slotPath(path, i))) ? readFileSync(slotPath(path, i)) : undefined,
      );
      const { st, value, failed } = pickSlot(files, decode);
      this.#slots.set(path, st);
      if (value !== undefined) out.push(value);
      else if (failed) unreadable.push(path);
    }
    return out;
  }
}

interface Slots {
  /** The highest sequence number in a valid frame (or used by a write since). */
  seq: number;
  /** The slot holding the current record; -1 when neither holds a valid one. */
  current: -1 | 0 | 1;
  /** Which slot files exist. */
  has: [boolean, boolean];
  /** A write or removal failed part-way: read the slots back before using them. */
  unknown?: boolean;
}

/**
 * The winner among a record's slot files (undefined: no such file): the valid frame with the
 * highest sequence number whose payload `decode` accepts. Only slot 0 may hold a record from
 * before frames (bare JSON, sequence 0).
 */
function pickSlot<T>(
  files: (Buffer | undefined)[],
  decode?: (payload: Buffer) => T,
): { st: Slots; value?: T; failed: boolean } {
  const st: Slots = { seq: 0, current: -1, has: [files[0] !== undefined, files[1] !== undefined] };
  const frames = files
    .map((f, i) => (f ? { i: i as 0 | 1, frame: openFrame(f, i === 0) } : undefined))
    .filter((c) => c?.frame !== undefined)
    .sort((a, b) => b!.frame!.seq - a!.frame!.seq);
  // No valid frame at all: a first write a crash tore, never acknowledged. Not a loss.
  if (frames.length === 0) return { st, failed: false };
  st.seq = frames[0]!.frame!.seq;
  let failed = false;
  for (const c of frames) {
    if (!decode) {
      st.current = c!.i;
      return { st, failed };
    }
    try {
      const value = decode(c!.frame!.payload);
      st.current = c!.i;
      return { st, value, failed: false };
    } catch {
      failed = true;
    }
  }
  return { st, failed };
}

function slotPath(path: string, slot: 0 | 1): string {
  return slot === 0 ? path : `${path}.1`;
}

class DiskBlobs implements BlobBackend {
  readonly #layout: DiskLayout;

  constructor(layout: DiskLayout) {
    this.#layout = layout;
  }

  #path(id: string): string {
    return join(this.#layout.blobs, fanout(id), id);
  }

  async write(body: Readable): Promise<BlobRef> {
    const id = randomUUID().replaceAll('-', '');
    // Small bodies live inside their record: one fsynced file per write instead of two.
    const head: Buffer[] = [];
    let size = 0;
    const it = body[Symbol.asyncIterator]();
    for (;;) {
      const next = await it.next();
      if (next.done) return { id, size, inline: copyChunks(head, size) };
      head.push(next.value as Buffer);
      size += (next.value as Buffer).length;
      if (size > INLINE_MAX) break;
    }
    const tmp = this.#layout.tempPath();
    const file = new BlobFile(tmp);
    try {
      for (const c of head) await file.write(c);
      for (;;) {
        const next = await it.next();
        if (next.done) break;
        const chunk = next.value as Buffer;
        size += chunk.length;
        await file.write(chunk);
      }
      await file.end();
      const dest = this.#path(id);
      const made = await mkdir(dirname(dest), { recursive: true });
      await rename(tmp, dest);
      // The blob's name on disk before a record can point at it (and its fan-out directory's,
      // if this write made it).
      await fsyncDir(dirname(dest));
      if (made) await fsyncDir(this.#layout.blobs);
    } catch (err) {
      await file.abort();
      await rm(tmp, { force: true });
      throw err;
    }
    return { id, size };
  }

  read(blob: BlobRef, start: number, end: number): Readable {
    if (end < start) return bufferStream(undefined);
    if (blob.inline !== undefined) return bufferStream(blob.inline.subarray(start, end + 1));
    return new FileRangeStream(this.#path(blob.id), start, end);
  }

  bytes(blob: BlobRef, start: number, end: number): Buffer | undefined {
    if (blob.inline === undefined || end < start) return undefined;
    return blob.inline.subarray(start, end + 1);
  }

  async delete(id: string): Promise<void> {
    // Recursive: after a power cut on a filesystem without a journal, fsck has been seen to
    // leave a directory under a blob's name, and a throw here stopped the store from opening.
    await rm(this.#path(id), { force: true, recursive: true });
  }

  async list(): Promise<string[]> {
    // Called once, at open (see load()).
    const ids: string[] = [];
    for (const dir of existing(this.#layout.blobs)) ids.push(...existing(join(this.#layout.blobs, dir)));
    return ids;
  }
}

/** The file of a key with more than its one unversioned object. */
interface KeyFile {
  key: string;
  versions: ObjectRecord[];
}

function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

class DiskMeta implements MetaBackend {
  readonly #layout: DiskLayout;
  /** Where object and upload records are written first (see record-log.ts). */
  readonly #log: RecordLog;
  /** Writes go through the log (else it is only replayed at open: see DiskOptions.log). */
  readonly #logWrites: boolean;

  constructor(layout: DiskLayout, logWrites: boolean, logBytes?: number) {
    this.#layout = layout;
    this.#logWrites = logWrites;
    this.#log = new RecordLog(
      layout.root,
      join(layout.root, 'meta'),
      {
        write: (path, chunks, durable) => layout.writeAtomic(path, chunks, durable),
        retire: (path, durable) => layout.retire(path, durable),
        reread: (path) => layout.reread(path),
      },
      logBytes,
    );
  }

  /** Writes the record at `path`: through the log if writes use it. */
  async #write(path: string, chunks: Buffer[]): Promise<void> {
    if (!this.#logWrites) return this.#layout.writeAtomic(path, chunks);
    // A new layout's directories are on disk before anything in them is acknowledged.
    await this.#layout.layoutDurable();
    return this.#log.write(path, chunks);
  }

  async #retire(path: string): Promise<void> {
    if (!this.#logWrites) return this.#layout.retire(path);
    await this.#layout.layoutDurable();
    return this.#log.retire(path);
  }

  /** Applies the record log and closes it. */
  async close(): Promise<void> {
    await this.#log.close();
  }

  #objectPath(bucket: string, key: string): string {
    const h = keyHash(key);
    return join(this.#layout.objects, bucket, fanout(h), `${h}.json`);
  }

  // Loading runs once, before the server listens: synchronous reads are the fastest way through
  // a data directory, and nothing is being served that they could hold up.
  async load(): Promise<LoadedState> {
    // What a crash left in the log goes to the record files first, which are then read as usual.
    await this.#log.replay();
    const state: LoadedState = { buckets: [], objects: [], uploads: [] };
    const unreadable: string[] = [];
    state.buckets = this.#layout.loadRecords(
      this.#layout.buckets,
      (p) => JSON.parse(p.toString('utf8')) as BucketRecord,
      unreadable,
    );
    // Objects of a bucket whose record is gone: a DeleteBucket a crash cut short (it removes
    // the record first). Left there, they would come back with a new bucket of the same name.
    // A bucket whose record is there but unreadable keeps them.
    const names = new Set([
      ...state.buckets.map((b) => b.name),
      ...unreadable.map((p) => basename(p, '.json')),
    ]);
    for (const d of existing(this.#layout.objects)) {
      if (!names.has(d)) rmSync(join(this.#layout.objects, d), { recursive: true, force: true });
    }
    for (const b of state.buckets) {
      const bdir = join(this.#layout.objects, b.name);
      for (const fan of existing(bdir)) {
        const records = this.#layout.loadRecords(
          join(bdir, fan),
          (p) => decodeRecordFile<ObjectRecord | KeyFile>(p),
          unreadable,
        );
        for (const parsed of records) {
          // A key with one unversioned object is stored as the bare record (the common case,
          // and the layout of data written before versioning existed).
          if ('versions' in parsed) state.objects.push({ bucket: b.name, ...parsed });
          else state.objects.push({ bucket: b.name, key: parsed.key, versions: [parsed] });
        }
      }
    }
    state.uploads = this.#layout.loadRecords(
      this.#layout.uploads,
      (p) => decodeRecordFile<UploadRecord>(p),
      unreadable,
    );
    if (unreadable.length > 0) {
      // Kept on disk, untouched: someone may want to look at them.
      process.emitWarning(
        `S3 disk storage: ${unreadable.length} record file(s) could not be read and were left out, e.g. ${unreadable[0]}`,
        { code: 'S3_STORAGE_UNREADABLE_RECORD' },
      );
    }
    return state;
  }

  async saveBucket(rec: BucketRecord): Promise<void> {
    await this.#layout.writeAtomic(join(this.#layout.buckets, `${rec.name}.json`), JSON.stringify(rec));
  }

  async deleteBucket(name: string): Promise<void> {
    // Every logged write under the bucket's objects directory lands before it is removed, so
    // no checkpoint writes into it afterwards. Bucket records are not logged (they are few).
    await this.#log.checkpointAll();
    // The bucket's record goes durably first: a power cut after it leaves at worst an
    // unreferenced objects directory, never a bucket that comes back.
    await this.#layout.retire(join(this.#layout.buckets, `${name}.json`));
    await rm(join(this.#layout.objects, name), { recursive: true, force: true });
    this.#layout.forget(join(this.#layout.objects, name));
    await fsyncDir(this.#layout.objects);
  }

  async saveKey(bucket: string, key: string, versions: ObjectRecord[]): Promise<void> {
    const path = this.#objectPath(bucket, key);
    if (versions.length === 0) {
      await this.#retire(path);
      return;
    }
    const only = versions.length === 1 ? versions[0]! : undefined;
    // All versions of a key share one record, so a versioned write (new current, previous one
    // now noncurrent) is a single atomic write.
    const data: ObjectRecord | KeyFile =
      only && only.versionId === undefined && !only.deleteMarker ? only : { key, versions };
    await this.#write(path, encodeRecordFile(data));
  }

  async saveUpload(rec: UploadRecord): Promise<void> {
    await this.#write(join(this.#layout.uploads, `${rec.uploadId}.json`), encodeRecordFile(rec));
  }

  async deleteUpload(uploadId: string): Promise<void> {
    await this.#retire(join(this.#layout.uploads, `${uploadId}.json`));
  }
}

export interface DiskOptions {
  /**
   * Object and upload records are acknowledged once appended to a record log, and written to
   * their own files later (record-log.ts). Off: each is written to its file, durably, before
   * the answer (a log a previous run left is still replayed at open).
   * @default true
   */
  log?: boolean;
  /**
   * A record log file past this size is applied to the record files, and the other file takes
   * new entries.
   * @default 64 MiB (LOG_MAX)
   */
  logBytes?: number;
}

export async function diskBackends(dir: string, options: DiskOptions = {}): Promise<Backends> {
  const layout = new DiskLayout(dir);
  // Synchronous at open, like load(): the first fs calls of a process paid for starting the
  // thread pool, a quarter of the disk engine's start.
  let made = false;
  for (const d of [layout.tmp, layout.blobs, layout.buckets, layout.objects, layout.uploads]) {
    if (mkdirSync(d, { recursive: true }) !== undefined) made = true;
  }
  if (made) layout.syncBeforeFirstWrite([dirname(layout.root), layout.root, join(layout.root, 'meta')]);
  const meta = new DiskMeta(layout, options.log ?? true, options.logBytes);
  return {
    blobs: new DiskBlobs(layout),
    meta,
    close: () => meta.close(),
    async cleanup() {
      // Anything in tmp/ is a write that never committed or a spare of the last run.
      for (const f of readdirSync(layout.tmp)) rmSync(join(layout.tmp, f), { force: true, recursive: true });
    },
  };
}
