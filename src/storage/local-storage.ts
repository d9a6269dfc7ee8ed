import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { encodeKey } from './key-encoding.ts';
import { KeyLock } from './key-lock.ts';
import {
  assertValidContentType,
  assertValidKey,
  assertValidMetadata,
  assertValidPrefix,
} from './object-key.ts';
import { knownSize, SizeLimit, tooLarge, toReadable } from './size-limit.ts';
import type {
  GetResult,
  ListEntry,
  ObjectInfo,
  PresignedPost,
  PresignedRequest,
  PutOptions,
  PutResult,
  Storage,
  StorageBody,
  VersionEntry,
} from './storage.ts';
import { StorageError } from './storage-error.ts';
import { assertValidVersionId } from './version-id.ts';

/** Internal directory under the root: sidecars and temp files. Keys may not start with it. */
export const LOCAL_INTERNAL_DIR = '.storage';

interface Sidecar {
  contentType: string;
  metadata: Record<string, string>;
  etag?: string;
}

export interface LocalStorageOptions {
  /** STORAGE_LOCAL_PATH; created on first write. */
  root: string;
  /** STORAGE_MAX_FILE_SIZE in bytes. */
  maxFileSize: number;
  /** Base for publicUrl (an app route serving the root); unset, publicUrl returns a file: URL. @default undefined */
  publicBaseUrl?: string;
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Files on local disk under STORAGE_LOCAL_PATH, the object at `root/<key>` (browsable as-is) and
 * its content type and metadata in a sidecar under `root/.storage/meta/`. Writes go to a temp file
 * under `root/.storage/tmp/` (same file system), are fsynced, and are renamed into place, so a
 * failed or oversize upload leaves nothing. Within one process, writes and reads of a key are
 * serialized so the object and its sidecar always match.
 *
 * Differs from S3 where a file system must: a key cannot be both an object and a "directory" of
 * other keys (`a` and `a/b`); that put fails with INVALID_KEY.
 */
export class LocalStorage implements Storage {
  readonly kind = 'local' as const;
  readonly capabilities = Object.freeze({ presignedUrls: false, versions: false });
  readonly maxFileSize: number;
  readonly root: string;
  readonly #publicBaseUrl: string | undefined;
  readonly #lock = new KeyLock();

  constructor(options: LocalStorageOptions) {
    this.root = resolve(options.root);
    this.maxFileSize = options.maxFileSize;
    this.#publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '');
  }

  #key(key: string): string {
    assertValidKey(key);
    if (key === LOCAL_INTERNAL_DIR || key.startsWith(`${LOCAL_INTERNAL_DIR}/`)) {
      throw new StorageError(
        'INVALID_KEY',
        `${JSON.stringify(key)} is inside the reserved ${LOCAL_INTERNAL_DIR}/`,
        {
          key,
        },
      );
    }
    return key;
  }

  #path(key: string): string {
    const path = resolve(this.root, ...key.split('/'));
    // Defence in depth: assertValidKey already makes escaping impossible.
    if (!path.startsWith(this.root + sep))
      throw new StorageError('INVALID_KEY', `${key} escapes the root`, { key });
    return path;
  }

  #metaPath(key: string): string {
    return `${resolve(this.root, LOCAL_INTERNAL_DIR, 'meta', ...key.split('/'))}.json`;
  }

  #tmpDir(): string {
    return join(this.root, LOCAL_INTERNAL_DIR, 'tmp');
  }

  async put(key: string, body: StorageBody, options: PutOptions): Promise<PutResult> {
    this.#key(key);
    const contentType = assertValidContentType(options.contentType);
    const metadata = assertValidMetadata(options.metadata);
    const size = knownSize(body);
    if (size !== undefined && size > this.maxFileSize) throw tooLarge(key, this.maxFileSize, size);

    await mkdir(this.#tmpDir(), { recursive: true });
    const id = randomUUID();
    const dataTmp = join(this.#tmpDir(), `${id}.data`);
    const metaTmp = join(this.#tmpDir(), `${id}.meta`);
    try {
      const limit = new SizeLimit(key, this.maxFileSize, { md5: true });
      await writeDurably(dataTmp, async (handle) => {
        await pipeline(toReadable(body), limit, async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of source) await handle.write(chunk);
        });
      });
      const sidecar: Sidecar = { contentType, metadata, etag: limit.md5Hex() };
      await writeDurably(metaTmp, (handle) => handle.writeFile(JSON.stringify(sidecar)));
      await this.#lock.run(key, () => this.#commit(key, dataTmp, metaTmp));
      return { key, size: limit.bytes, etag: sidecar.etag };
    } catch (error) {
      throw this.#mapError(error, key);
    } finally {
      await rm(dataTmp, { force: true });
      await rm(metaTmp, { force: true });
    }
  }

  async #commit(key: string, dataTmp: string, metaTmp: string): Promise<void> {
    const path = this.#path(key);
    const metaPath = this.#metaPath(key);
    await mkdir(dirname(path), { recursive: true });
    await mkdir(dirname(metaPath), { recursive: true });
    await rename(dataTmp, path);
    await rename(metaTmp, metaPath);
  }

  #mapError(error: unknown, key: string): unknown {
    if (error instanceof StorageError) return error;
    const code = errno(error);
    if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST' || code === 'ENOTEMPTY') {
      return new StorageError(
        'INVALID_KEY',
        `${JSON.stringify(key)} conflicts with another key: on local disk an object cannot also be a "directory" of other objects`,
        { key, cause: error },
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return new StorageError('ACCESS_DENIED', `${this.root}: ${(error as Error).message}`, {
        key,
        cause: error,
      });
    }
    return error;
  }

  async #readSidecar(key: string): Promise<Sidecar | undefined> {
    try {
      return JSON.parse(await readFile(this.#metaPath(key), 'utf8')) as Sidecar;
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR' || error instanceof SyntaxError)
        return undefined;
      throw error;
    }
  }

  /** Opens the object and its sidecar together, under the key's lock, so they match. */
  async #open(key: string): Promise<{ handle: FileHandle; info: ObjectInfo }> {
    this.#key(key);
    return this.#lock.run(key, async () => {
      let handle: FileHandle;
      try {
        handle = await open(this.#path(key), 'r');
      } catch (error) {
        const code = errno(error);
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') throw notFound(key, error);
        throw this.#mapError(error, key);
      }
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) throw notFound(key);
        // A file dropped into the folder by hand has no sidecar: serve it as bytes.
        const sidecar = await this.#readSidecar(key);
        const info: ObjectInfo = {
          key,
          size: stats.size,
          contentType: sidecar?.contentType ?? 'application/octet-stream',
          metadata: { ...(sidecar?.metadata ?? {}) },
          lastModified: stats.mtime,
          etag: sidecar?.etag,
        };
        return { handle, info };
      } catch (error) {
        await handle.close();
        throw error;
      }
    });
  }

  async get(key: string): Promise<GetResult> {
    const { handle, info } = await this.#open(key);
    return { ...info, body: handle.createReadStream() };
  }

  async head(key: string): Promise<ObjectInfo> {
    const { handle, info } = await this.#open(key);
    await handle.close();
    return info;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.head(key);
      return true;
    } catch (error) {
      if (error instanceof StorageError && error.code === 'NOT_FOUND') return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    this.#key(key);
    await this.#lock.run(key, async () => {
      try {
        const stats = await stat(this.#path(key));
        if (!stats.isFile()) return;
        await rm(this.#path(key), { force: true });
      } catch (error) {
        if (errno(error) !== 'ENOENT' && errno(error) !== 'ENOTDIR') throw this.#mapError(error, key);
      }
      await rm(this.#metaPath(key), { force: true });
    });
  }

  async list(prefix: string): Promise<ListEntry[]> {
    assertValidPrefix(prefix);
    const lastSlash = prefix.lastIndexOf('/');
    const startKey = lastSlash === -1 ? '' : prefix.slice(0, lastSlash);
    const keys: string[] = [];
    await this.#walk(startKey, (key) => {
      if (key.startsWith(prefix)) keys.push(key);
    });
    keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const entries: ListEntry[] = [];
    for (const key of keys) {
      try {
        const stats = await stat(this.#path(key));
        const sidecar = await this.#readSidecar(key);
        entries.push({ key, size: stats.size, lastModified: stats.mtime, etag: sidecar?.etag });
      } catch (error) {
        // Deleted between the walk and the stat: no longer part of the listing.
        if (errno(error) !== 'ENOENT') throw error;
      }
    }
    return entries;
  }

  async #walk(dirKey: string, visit: (key: string) => void): Promise<void> {
    const dir = dirKey === '' ? this.root : this.#path(dirKey);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      if (dirKey === '' && entry.name === LOCAL_INTERNAL_DIR) continue;
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) await this.#walk(key, visit);
      else if (entry.isFile()) visit(key);
    }
  }

  /** No versioning on disk: as on a bucket that never had it, each object is its one `null` version. */
  async listVersions(prefix: string): Promise<VersionEntry[]> {
    return (await this.list(prefix)).map((entry) => ({
      key: entry.key,
      versionId: 'null',
      isLatest: true,
      deleteMarker: false,
      lastModified: entry.lastModified,
      size: entry.size,
      etag: entry.etag,
    }));
  }

  /** Only the `null` version exists, and it is current: restoring it changes nothing. */
  async restoreVersion(key: string, versionId: string): Promise<PutResult> {
    this.#key(key);
    assertValidVersionId(versionId, key);
    if (versionId !== 'null') {
      throw new StorageError(
        'NOT_FOUND',
        `${JSON.stringify(key)} has no version ${JSON.stringify(versionId)} (local storage keeps no earlier versions)`,
        { key },
      );
    }
    const info = await this.head(key);
    return { key, size: info.size, etag: info.etag, versionId: 'null' };
  }

  publicUrl(key: string): string {
    this.#key(key);
    if (this.#publicBaseUrl) return `${this.#publicBaseUrl}/${encodeKey(key)}`;
    return pathToFileURL(this.#path(key)).href;
  }

  async presignedGetUrl(key: string): Promise<string> {
    throw unsupported(key, 'presigned GET URLs');
  }

  async presignedPutUrl(key: string): Promise<PresignedRequest> {
    throw unsupported(key, 'presigned PUT URLs');
  }

  async presignedPost(key: string): Promise<PresignedPost> {
    throw unsupported(key, 'presigned POST forms');
  }

  async close(): Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function notFound(key: string, cause?: unknown): StorageError {
  return new StorageError('NOT_FOUND', JSON.stringify(key), { key, cause });
}

function unsupported(key: string, what: string): StorageError {
  return new StorageError('UNSUPPORTED', `local storage has no ${what} (${JSON.stringify(key)})`, { key });
}

/** Creates path exclusively, lets write fill it, fsyncs and closes; removes it if anything fails. */
async function writeDurably(path: string, write: (handle: FileHandle) => Promise<unknown>): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await write(handle);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
