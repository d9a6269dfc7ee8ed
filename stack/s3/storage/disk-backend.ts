// Disk storage. No file name is ever derived from a client-chosen string except validated
// bucket names: blobs are files named by ids we generate, written to tmp/, fsynced and renamed
// into place. Object and upload records live in the record log (record-log.ts), named there by
// the sha256 of their key or their upload id (the key lives inside the JSON record); a record
// is acknowledged once appended. Bucket records have files of their own, two slot files each
// whose frames carry a CRC and a sequence number (DiskLayout.writeAtomic). Either way a crash
// leaves the old or the new version, never a partial one; blobs no record points at are
// collected at start.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdir, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { fsyncDir, fsyncDirSync } from '../../util/fsync-dir.ts';
import { BlobFile } from './blob-file.ts';
import { bufferStream, copyChunks } from './buffer-stream.ts';
import { FileRangeStream } from './file-range-stream.ts';
import { decodeRecordFile, encodeRecordFile } from './record-file.ts';
import { openFrame } from './record-frame.ts';
import { RecordLog, type RecordLogOptions } from './record-log.ts';
import { OP_WRITE, readEntries, readHeader } from './record-log-format.ts';
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
  /** The record log's files (record-log.ts). */
  readonly log: string;
  /** Where object and upload records had files, and their log, before records lived in the log. */
  readonly legacyObjects: string;
  readonly legacyUploads: string;
  readonly legacyLogs: string[];

  constructor(root: string) {
    this.root = root;
    this.tmp = join(root, 'tmp');
    this.blobs = join(root, 'blobs');
    this.buckets = join(root, 'meta', 'buckets');
    this.log = join(root, 'meta', 'log');
    this.legacyObjects = join(root, 'meta', 'objects');
    this.legacyUploads = join(root, 'meta', 'uploads');
    this.legacyLogs = [0, 1].map((i) => join(root, 'meta', `records.log.${i}`));
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
   * Callers serialize writes to one `path` (the store's bucket lock).
   */
  async writeAtomic(path: string, data: string | Buffer | Buffer[]): Promise<void> {
    await this.layoutDurable();
    const chunks = typeof data === 'string' ? [Buffer.from(data)] : Array.isArray(data) ? data : [data];
    for (let attempt = 1; ; attempt++) {
      const st = this.#slotsOf(path) ?? { seq: 0, current: -1, has: [false, false] };
      const target = st.current === 0 ? 1 : 0;
      const create = !st.has[target];
      const spare = create ? this.#spares.pop() : undefined;
      try {
        await writeRecord(chunks, { path: slotPath(path, target), create, spare, seq: st.seq + 1 });
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
  async retire(path: string): Promise<void> {
    await this.layoutDurable();
    const st = this.#slotsOf(path);
    if (!st) return;
    const order: (0 | 1)[] = st.current === 1 ? [0, 1] : [1, 0];
    const paths = order.filter((i) => st.has[i]).map((i) => slotPath(path, i));
    const spares = paths.map(() => this.tempPath());
    let kept: boolean[];
    try {
      kept = await retireRecords(paths, spares);
    } catch (err) {
      // Some files may be gone, some not: read back at the next use.
      this.#slots.set(path, { ...st, unknown: true });
      throw err;
    }
    this.#slots.delete(path);
    for (const [i, k] of kept.entries()) if (k) await this.#keepSpare(spares[i]!);
  }

  /**
   * The records in `dir` (files `NAME.json` and `NAME.json.1`), each the winning slot's payload
   * as `decode` reads it, and noted for the writes to come. A slot whose payload cannot be
   * decoded loses to the other; a record with neither is left out, its path added to
   * `unreadable`. Synchronous: see DiskMeta.load.
   */
  loadRecords<T>(
    dir: string,
    decode: (payload: Buffer) => T,
    unreadable: string[],
  ): { path: string; value: T }[] {
    const names = new Set(existing(dir));
    const out: { path: string; value: T }[] = [];
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
      if (value !== undefined) {
        out.push({ path, value });
        // An older record won over a newer whole one that cannot be read (written by a later
        // version, say): an acknowledged change undone, which someone should hear of.
        if (failed) {
          process.emitWarning(
            `S3 disk storage: the newest record in ${path} could not be read; the one before it was loaded`,
            { code: 'S3_STORAGE_NEWER_RECORD_UNREADABLE' },
          );
        }
      } else if (failed) unreadable.push(path);
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
      // `failed`: a newer frame could not be decoded.
      return { st, value, failed };
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
  /** Where object and upload records live (see record-log.ts); bucket records have files. */
  readonly #log: RecordLog;

  constructor(layout: DiskLayout, options: RecordLogOptions) {
    this.#layout = layout;
    this.#log = new RecordLog(layout.log, options);
  }

  async #write(rel: string, chunks: Buffer[]): Promise<void> {
    // A new layout's directories are on disk before anything in them is acknowledged.
    await this.#layout.layoutDurable();
    return this.#log.write(rel, chunks);
  }

  async #retire(rel: string): Promise<void> {
    await this.#layout.layoutDurable();
    return this.#log.retire(rel);
  }

  /** Ends the record log's appends (everything acknowledged is in it already). */
  async close(): Promise<void> {
    await this.#log.close();
  }

  /** The name a key's record has in the log (the layout's record file path before the log). */
  #objectRel(bucket: string, key: string): string {
    const h = keyHash(key);
    return `meta/objects/${bucket}/${fanout(h)}/${h}.json`;
  }

  // Loading runs once, before the server listens: synchronous reads are the fastest way through
  // a data directory, and nothing is being served that they could hold up.
  async load(): Promise<LoadedState> {
    const state: LoadedState = { buckets: [], objects: [], uploads: [] };
    const unreadable: string[] = [];
    state.buckets = this.#layout
      .loadRecords(this.#layout.buckets, (p) => JSON.parse(p.toString('utf8')) as BucketRecord, unreadable)
      .map((r) => r.value);
    if (this.#log.hasFiles()) this.#removeLegacy();
    else if (this.#hasLegacy()) await this.#migrate(unreadable);
    // Objects of a bucket whose record is gone: a DeleteBucket a crash cut short (it removes
    // the record last), or one from before the log. Left in the log, they would come back with
    // a new bucket of the same name. A bucket whose record is unreadable keeps them.
    const names = new Set([
      ...state.buckets.map((b) => b.name),
      ...unreadable.filter((p) => dirname(p) === this.#layout.buckets).map((p) => basename(p, '.json')),
    ]);
    const orphans: string[] = [];
    const undecodable: string[] = [];
    for (const [rel, payload] of this.#log.open()) {
      const parts = rel.split('/');
      try {
        if (parts.length === 5 && parts[0] === 'meta' && parts[1] === 'objects') {
          const bucket = parts[2]!;
          if (!names.has(bucket)) {
            orphans.push(rel);
            continue;
          }
          // A key with one unversioned object is stored as the bare record (the common case,
          // and the layout of data written before versioning existed).
          const parsed = decodeRecordFile<ObjectRecord | KeyFile>(payload);
          if ('versions' in parsed) state.objects.push({ bucket, ...parsed });
          else state.objects.push({ bucket, key: parsed.key, versions: [parsed] });
        } else if (parts.length === 3 && parts[0] === 'meta' && parts[1] === 'uploads') {
          const upload = decodeRecordFile<UploadRecord>(payload);
          if (names.has(upload.bucket)) state.uploads.push(upload);
          else orphans.push(rel);
        } else undecodable.push(rel);
      } catch {
        undecodable.push(rel);
      }
    }
    await Promise.all(orphans.map((rel) => this.#retire(rel)));
    if (unreadable.length + undecodable.length > 0) {
      // Kept, untouched: someone may want to look at them.
      process.emitWarning(
        `S3 disk storage: ${unreadable.length + undecodable.length} record(s) could not be read and were left out, e.g. ${unreadable[0] ?? undecodable[0]}`,
        { code: 'S3_STORAGE_UNREADABLE_RECORD' },
      );
    }
    return state;
  }

  #hasLegacy(): boolean {
    const l = this.#layout;
    return [l.legacyObjects, l.legacyUploads, ...l.legacyLogs].some((p) => existsSync(p));
  }

  /**
   * A data directory from before records lived in the log: its record files, with the entries
   * of its old two-file log that no checkpoint applied, become the log's first base; then they
   * are removed (record files that cannot be read are moved to meta/unreadable/ instead).
   */
  async #migrate(unreadable: string[]): Promise<void> {
    const l = this.#layout;
    const records = new Map<string, Buffer>();
    const bad: string[] = [];
    const add = (dir: string) => {
      for (const { path, value } of l.loadRecords(
        dir,
        (p) => {
          decodeRecordFile(p);
          return p;
        },
        bad,
      )) {
        records.set(relative(l.root, path), value);
      }
    };
    for (const b of existing(l.legacyObjects)) {
      for (const fan of existing(join(l.legacyObjects, b))) add(join(l.legacyObjects, b, fan));
    }
    add(l.legacyUploads);
    const logs = l.legacyLogs
      .map((path) => (existsSync(path) ? readFileSync(path) : undefined))
      .map((file) => ({ file, header: file && readHeader(file) }))
      .filter((x) => x.header && !x.header.applied)
      .sort((a, b) => a.header!.gen - b.header!.gen);
    for (const { file, header } of logs) {
      for (const e of readEntries(file!, header!)) {
        if (e.op === OP_WRITE) records.set(e.path, Buffer.from(e.payload));
        else records.delete(e.path);
      }
    }
    // Set aside before the base exists: once it does, a crash leads to the legacy files' removal.
    for (const path of bad) {
      const to = join(l.root, 'meta', 'unreadable', relative(join(l.root, 'meta'), path));
      mkdirSync(dirname(to), { recursive: true });
      for (const slot of [0, 1] as const) {
        if (existsSync(slotPath(path, slot))) renameSync(slotPath(path, slot), slotPath(to, slot));
      }
      unreadable.push(to);
    }
    if (records.size > 0) await this.#log.importBase(records);
    this.#removeLegacy();
  }

  /** Removes what the layout before the log left (also what a migration a crash cut short). */
  #removeLegacy(): void {
    const l = this.#layout;
    if (!this.#hasLegacy()) return;
    for (const p of [l.legacyObjects, l.legacyUploads, ...l.legacyLogs])
      rmSync(p, { recursive: true, force: true });
    fsyncDirSync(join(l.root, 'meta'));
  }

  async saveBucket(rec: BucketRecord): Promise<void> {
    await this.#layout.writeAtomic(join(this.#layout.buckets, `${rec.name}.json`), JSON.stringify(rec));
  }

  async deleteBucket(name: string): Promise<void> {
    // The store removed every object and upload of the bucket first, each durably in the log.
    await this.#layout.retire(join(this.#layout.buckets, `${name}.json`));
  }

  async saveKey(bucket: string, key: string, versions: ObjectRecord[]): Promise<void> {
    const rel = this.#objectRel(bucket, key);
    if (versions.length === 0) {
      await this.#retire(rel);
      return;
    }
    const only = versions.length === 1 ? versions[0]! : undefined;
    // All versions of a key share one record, so a versioned write (new current, previous one
    // now noncurrent) is a single atomic write.
    const data: ObjectRecord | KeyFile =
      only && only.versionId === undefined && !only.deleteMarker ? only : { key, versions };
    await this.#write(rel, encodeRecordFile(data));
  }

  async saveUpload(rec: UploadRecord): Promise<void> {
    await this.#write(`meta/uploads/${rec.uploadId}.json`, encodeRecordFile(rec));
  }

  async deleteUpload(uploadId: string): Promise<void> {
    await this.#retire(`meta/uploads/${uploadId}.json`);
  }
}

export interface DiskOptions {
  /**
   * The record log's active segment past this size is sealed, and a new one takes the appends.
   * @default 64 MiB (SEGMENT_MAX)
   */
  segmentBytes?: number;
  /**
   * Sealed segments holding less garbage than this are never compacted.
   * @default 16 MiB (COMPACT_MIN)
   */
  compactBytes?: number;
}

export async function diskBackends(dir: string, options: DiskOptions = {}): Promise<Backends> {
  const layout = new DiskLayout(dir);
  // Synchronous at open, like load(): the first fs calls of a process paid for starting the
  // thread pool, a quarter of the disk engine's start.
  let made = false;
  for (const d of [layout.tmp, layout.blobs, layout.buckets, layout.log]) {
    if (mkdirSync(d, { recursive: true }) !== undefined) made = true;
  }
  if (made) layout.syncBeforeFirstWrite([dirname(layout.root), layout.root, join(layout.root, 'meta')]);
  const meta = new DiskMeta(layout, options);
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
