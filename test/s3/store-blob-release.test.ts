// Releasing the bytes of a replaced or deleted object on disk storage: a blob with a file of
// its own is deleted (and its file gone), a small blob stored inside its record is not sent to
// the disk at all (it has no file: asking to remove one cost two failed stat calls per
// overwrite, the larger part of a small PUT's disk time).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bufferStream } from '../../stack/s3/storage/buffer-stream.ts';
import { diskBackends } from '../../stack/s3/storage/disk-backend.ts';
import { Store } from '../../stack/s3/storage/store.ts';
import type { BlobRef } from '../../stack/s3/storage/types.ts';
import { objectRecord } from './fixtures.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function openStore(): Promise<{ store: Store; deleted: string[]; blobFiles: () => Promise<string[]> }> {
  const dir = await mkdtemp(join(tmpdir(), 'store-release-'));
  dirs.push(dir);
  const backends = await diskBackends(dir);
  const deleted: string[] = [];
  const remove = backends.blobs.delete.bind(backends.blobs);
  backends.blobs.delete = async (id) => {
    deleted.push(id);
    await remove(id);
  };
  const store = await Store.open(backends);
  await store.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
  const blobFiles = async () => {
    const out: string[] = [];
    for (const fan of await readdir(join(dir, 'blobs')))
      out.push(...(await readdir(join(dir, 'blobs', fan))));
    return out;
  };
  return { store, deleted, blobFiles };
}

async function put(store: Store, key: string, size: number): Promise<BlobRef> {
  const blob = await store.writeBlob(bufferStream(Buffer.alloc(size, 1)), size);
  const rec = objectRecord(key, [blob]);
  await store.commitObject('b', key, () => rec);
  return blob;
}

describe('releasing replaced blobs on disk', () => {
  it('sends nothing to the disk for a small blob kept inside its record', async () => {
    const { store, deleted, blobFiles } = await openStore();
    const first = await put(store, 'small', 1024);
    expect(first.inline).toBeDefined();
    await put(store, 'small', 2048);
    await store.deleteObject('b', 'small');
    expect(deleted).toEqual([]);
    expect(await blobFiles()).toEqual([]);
  });

  it('deletes the file of a large blob when its object is replaced, then deleted', async () => {
    const { store, deleted, blobFiles } = await openStore();
    const first = await put(store, 'big', 200 * 1024);
    expect(first.inline).toBeUndefined();
    expect(await blobFiles()).toEqual([first.id]);
    const second = await put(store, 'big', 300 * 1024);
    expect(deleted).toEqual([first.id]);
    expect(await blobFiles()).toEqual([second.id]);
    await store.deleteObject('b', 'big');
    expect(deleted).toEqual([first.id, second.id]);
    expect(await blobFiles()).toEqual([]);
  });

  it('deletes the file of a large blob replaced by a small one, and nothing for the small one', async () => {
    const { store, deleted } = await openStore();
    const big = await put(store, 'k', 100 * 1024);
    await put(store, 'k', 10);
    await put(store, 'k', 20);
    expect(deleted).toEqual([big.id]);
  });
});
