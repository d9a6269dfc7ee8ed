// Disk storage. No file name is ever derived from a client-chosen string except validated
// bucket names: objects are files named by sha256 of their key (the key lives inside the
// JSON record), blobs and uploads by ids we generate. Every file is written to tmp/, fsynced
// and renamed into place, so a crash leaves either the old or the new version, never a
// partial one; blobs no record points at are collected at start.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobFile } from './blob-writer.ts';
import { bufferStream, copyChunks } from './buffer-stream.ts';
import { decodeRecordFile, encodeRecordFile } from './record-file.ts';
import { retireRecord, warnUnsynced, writeRecord } from './record-writer.ts';
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
   * Files in tmp/ whose contents are garbage, kept to be written over instead of creating new
   * ones. A record's rewrite would otherwise allocate an inode and free the old one; ext4
   * without a journal refuses to reuse an inode freed in the last minute and scans past every
   * such inode on each allocation, which under steady overwrites grew to a quarter of a small
   * PUT's server time. With the pool, an overwrite neither allocates nor frees an inode.
   */
  readonly #spares: string[] = [];

  /** Takes over `path` (already in tmp/) as a spare, or removes it when the pool is full. */
  async #keepSpare(path: string): Promise<void> {
    if (this.#spares.length < MAX_SPARES) this.#spares.push(path);
    else await unlink(path).catch(() => {});
  }

  /**
   * Replaces `dest` with `data`: written to a spare (or new) file in tmp/, fdatasynced, then
   * renamed over `dest` and its directory synced, so a crash leaves the old or the new
   * contents, never a mix, and an acknowledged write survives a power cut. Before the rename
   * the old file gets a second name in tmp/ and becomes a spare once the directory sync has
   * made the new name durable (a crash between the two leaves an extra name of the old
   * contents in tmp/, which is never read).
   * Callers serialize writes to one `dest` (the store's key, bucket and upload locks).
   */
  async writeAtomic(dest: string, data: string | Buffer | Buffer[]): Promise<void> {
    await this.layoutDurable();
    const chunks = typeof data === 'string' ? [Buffer.from(data)] : Array.isArray(data) ? data : [data];
    const spare = this.#spares.pop();
    const old = this.tempPath();
    const kept = await writeRecord(chunks, {
      tmp: spare ?? this.tempPath(),
      spare: spare !== undefined,
      dest,
      old,
    });
    if (kept) await this.#keepSpare(old);
  }

  /** Removes `path` (a record file) by moving it to the spares; absent is fine. */
  async retire(path: string): Promise<void> {
    await this.layoutDurable();
    const spare = this.tempPath();
    if (await retireRecord(path, spare)) await this.#keepSpare(spare);
  }
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
    return createReadStream(this.#path(blob.id), { start, end, highWaterMark: 256 * 1024 });
  }

  bytes(blob: BlobRef, start: number, end: number): Buffer | undefined {
    if (blob.inline === undefined || end < start) return undefined;
    return blob.inline.subarray(start, end + 1);
  }

  async delete(id: string): Promise<void> {
    await rm(this.#path(id), { force: true });
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

  constructor(layout: DiskLayout) {
    this.#layout = layout;
  }

  #objectPath(bucket: string, key: string): string {
    const h = keyHash(key);
    return join(this.#layout.objects, bucket, fanout(h), `${h}.json`);
  }

  // Loading runs once, before the server listens: synchronous reads are the fastest way through
  // a data directory, and nothing is being served that they could hold up.
  async load(): Promise<LoadedState> {
    const state: LoadedState = { buckets: [], objects: [], uploads: [] };
    for (const f of readdirSync(this.#layout.buckets)) {
      if (!f.endsWith('.json')) continue;
      state.buckets.push(JSON.parse(readFileSync(join(this.#layout.buckets, f), 'utf8')) as BucketRecord);
    }
    // Objects of a bucket whose record is gone: a DeleteBucket a crash cut short (it removes
    // the record first). Left there, they would come back with a new bucket of the same name.
    const names = new Set(state.buckets.map((b) => b.name));
    for (const d of existing(this.#layout.objects)) {
      if (!names.has(d)) rmSync(join(this.#layout.objects, d), { recursive: true, force: true });
    }
    for (const b of state.buckets) {
      const bdir = join(this.#layout.objects, b.name);
      for (const fan of existing(bdir)) {
        for (const f of existing(join(bdir, fan))) {
          if (!f.endsWith('.json')) continue;
          const parsed = decodeRecordFile<ObjectRecord | KeyFile>(readFileSync(join(bdir, fan, f)));
          // A key with one unversioned object is stored as the bare record (the common case,
          // and the layout of data written before versioning existed).
          if ('versions' in parsed) state.objects.push({ bucket: b.name, ...parsed });
          else state.objects.push({ bucket: b.name, key: parsed.key, versions: [parsed] });
        }
      }
    }
    for (const f of readdirSync(this.#layout.uploads)) {
      if (!f.endsWith('.json')) continue;
      state.uploads.push(decodeRecordFile<UploadRecord>(readFileSync(join(this.#layout.uploads, f))));
    }
    return state;
  }

  async saveBucket(rec: BucketRecord): Promise<void> {
    await this.#layout.writeAtomic(join(this.#layout.buckets, `${rec.name}.json`), JSON.stringify(rec));
  }

  async deleteBucket(name: string): Promise<void> {
    // The bucket's record goes durably first: a power cut after it leaves at worst an
    // unreferenced objects directory, never a bucket that comes back.
    await this.#layout.retire(join(this.#layout.buckets, `${name}.json`));
    await rm(join(this.#layout.objects, name), { recursive: true, force: true });
    await fsyncDir(this.#layout.objects);
  }

  async saveKey(bucket: string, key: string, versions: ObjectRecord[]): Promise<void> {
    const path = this.#objectPath(bucket, key);
    if (versions.length === 0) {
      await this.#layout.retire(path);
      return;
    }
    const only = versions.length === 1 ? versions[0]! : undefined;
    // All versions of a key share one file, so a versioned write (new current, previous one
    // now noncurrent) is a single atomic rename.
    const data: ObjectRecord | KeyFile =
      only && only.versionId === undefined && !only.deleteMarker ? only : { key, versions };
    await this.#layout.writeAtomic(path, encodeRecordFile(data));
  }

  async saveUpload(rec: UploadRecord): Promise<void> {
    await this.#layout.writeAtomic(join(this.#layout.uploads, `${rec.uploadId}.json`), encodeRecordFile(rec));
  }

  async deleteUpload(uploadId: string): Promise<void> {
    await this.#layout.retire(join(this.#layout.uploads, `${uploadId}.json`));
  }
}

export async function diskBackends(dir: string): Promise<Backends> {
  const layout = new DiskLayout(dir);
  // Synchronous at open, like load(): the first fs calls of a process paid for starting the
  // thread pool, a quarter of the disk engine's start.
  let made = false;
  for (const d of [layout.tmp, layout.blobs, layout.buckets, layout.objects, layout.uploads]) {
    if (mkdirSync(d, { recursive: true }) !== undefined) made = true;
  }
  if (made) layout.syncBeforeFirstWrite([dirname(layout.root), layout.root, join(layout.root, 'meta')]);
  return {
    blobs: new DiskBlobs(layout),
    meta: new DiskMeta(layout),
    async cleanup() {
      // Anything in tmp/ is a write that never committed or a spare of the last run.
      for (const f of readdirSync(layout.tmp)) rmSync(join(layout.tmp, f), { force: true, recursive: true });
    },
  };
}
