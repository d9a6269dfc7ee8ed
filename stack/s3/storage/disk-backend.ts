// Disk storage. No file name is ever derived from a client-chosen string except validated
// bucket names: objects are files named by sha256 of their key (the key lives inside the
// JSON record), blobs and uploads by ids we generate. Every file is written to tmp/, fsynced
// and renamed into place, so a crash leaves either the old or the new version, never a
// partial one; blobs no record points at are collected at start.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { bufferStream } from './buffer-stream.ts';
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

function fanout(id: string): string {
  return id.slice(0, 2);
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
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

  async writeAtomic(dest: string, data: string | Buffer): Promise<void> {
    const tmp = this.tempPath();
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(join(dest, '..'), { recursive: true });
      await rename(tmp, dest);
    }
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
      if (next.done) return { id, size, inline: Buffer.concat(head).toString('base64') };
      head.push(next.value as Buffer);
      size += (next.value as Buffer).length;
      if (size > INLINE_MAX) break;
    }
    const tmp = this.#layout.tempPath();
    const out = createWriteStream(tmp, { flags: 'wx' });
    try {
      await pipeline(async function* () {
        yield* head;
        for (;;) {
          const next = await it.next();
          if (next.done) return;
          size += (next.value as Buffer).length;
          yield next.value as Buffer;
        }
      }, out);
      await fsyncPath(tmp);
      const dest = this.#path(id);
      await mkdir(join(dest, '..'), { recursive: true });
      await rename(tmp, dest);
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
    return { id, size };
  }

  read(blob: BlobRef, start: number, end: number): Readable {
    if (end < start) return bufferStream(undefined);
    if (blob.inline !== undefined)
      return bufferStream(Buffer.from(blob.inline, 'base64').subarray(start, end + 1));
    return createReadStream(this.#path(blob.id), { start, end, highWaterMark: 256 * 1024 });
  }

  bytes(blob: BlobRef, start: number, end: number): Buffer | undefined {
    if (blob.inline === undefined || end < start) return undefined;
    return Buffer.from(blob.inline, 'base64').subarray(start, end + 1);
  }

  async delete(id: string): Promise<void> {
    await rm(this.#path(id), { force: true });
  }

  async list(): Promise<string[]> {
    const ids: string[] = [];
    for (const dir of await readdir(this.#layout.blobs).catch(() => [] as string[])) {
      for (const id of await readdir(join(this.#layout.blobs, dir)).catch(() => [] as string[])) ids.push(id);
    }
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

  async load(): Promise<LoadedState> {
    const state: LoadedState = { buckets: [], objects: [], uploads: [] };
    for (const f of await readdir(this.#layout.buckets)) {
      if (!f.endsWith('.json')) continue;
      state.buckets.push(JSON.parse(await readFile(join(this.#layout.buckets, f), 'utf8')) as BucketRecord);
    }
    for (const b of state.buckets) {
      const bdir = join(this.#layout.objects, b.name);
      for (const fan of await readdir(bdir).catch(() => [] as string[])) {
        for (const f of await readdir(join(bdir, fan))) {
          if (!f.endsWith('.json')) continue;
          const parsed = JSON.parse(await readFile(join(bdir, fan, f), 'utf8')) as ObjectRecord | KeyFile;
          // A key with one unversioned object is stored as the bare record (the common case,
          // and the layout of data written before versioning existed).
          if ('versions' in parsed) state.objects.push({ bucket: b.name, ...parsed });
          else state.objects.push({ bucket: b.name, key: parsed.key, versions: [parsed] });
        }
      }
    }
    for (const f of await readdir(this.#layout.uploads)) {
      if (!f.endsWith('.json')) continue;
      state.uploads.push(JSON.parse(await readFile(join(this.#layout.uploads, f), 'utf8')) as UploadRecord);
    }
    return state;
  }

  async saveBucket(rec: BucketRecord): Promise<void> {
    await this.#layout.writeAtomic(join(this.#layout.buckets, `${rec.name}.json`), JSON.stringify(rec));
  }

  async deleteBucket(name: string): Promise<void> {
    await unlink(join(this.#layout.buckets, `${name}.json`)).catch(() => {});
    await rm(join(this.#layout.objects, name), { recursive: true, force: true });
  }

  async saveKey(bucket: string, key: string, versions: ObjectRecord[]): Promise<void> {
    const path = this.#objectPath(bucket, key);
    if (versions.length === 0) {
      await rm(path, { force: true });
      return;
    }
    const only = versions.length === 1 ? versions[0]! : undefined;
    // All versions of a key share one file, so a versioned write (new current, previous one
    // now noncurrent) is a single atomic rename.
    const data: ObjectRecord | KeyFile =
      only && only.versionId === undefined && !only.deleteMarker ? only : { key, versions };
    await this.#layout.writeAtomic(path, JSON.stringify(data));
  }

  async saveUpload(rec: UploadRecord): Promise<void> {
    await this.#layout.writeAtomic(join(this.#layout.uploads, `${rec.uploadId}.json`), JSON.stringify(rec));
  }

  async deleteUpload(uploadId: string): Promise<void> {
    await rm(join(this.#layout.uploads, `${uploadId}.json`), { force: true });
  }
}

export async function diskBackends(dir: string): Promise<Backends> {
  const layout = new DiskLayout(dir);
  for (const d of [layout.tmp, layout.blobs, layout.buckets, layout.objects, layout.uploads]) {
    await mkdir(d, { recursive: true });
  }
  return {
    blobs: new DiskBlobs(layout),
    meta: new DiskMeta(layout),
    async cleanup() {
      // Anything in tmp/ is a write that never committed.
      for (const f of await readdir(layout.tmp))
        await rm(join(layout.tmp, f), { force: true, recursive: true });
    },
  };
}
