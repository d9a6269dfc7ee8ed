// CopyObject/UploadPartCopy's byte copy (copy-bytes.ts): when writing the new blob fails part
// way (a full disk), the source's read is closed, so the source blob is not pinned: deleting
// the source object then removes its file.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyBytes } from '../../stack/s3/copy-bytes.ts';
import { bufferStream } from '../../stack/s3/storage/buffer-stream.ts';
import { diskBackends } from '../../stack/s3/storage/disk-backend.ts';
import { Store } from '../../stack/s3/storage/store.ts';
import { objectRecord } from './fixtures.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Waits, turn by turn of the event loop, until `cond` holds (at most 10,000 turns). */
async function until(cond: () => boolean): Promise<boolean> {
  for (let i = 0; i < 10_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  return cond();
}

describe('copyBytes', () => {
  it('closes the source when writing the copy fails, so a deleted source goes from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'copy-bytes-'));
    dirs.push(dir);
    const backends = await diskBackends(dir);
    const write = backends.blobs.write.bind(backends.blobs);
    let failNext = false;
    backends.blobs.write = async (body, hint) => {
      if (!failNext) return write(body, hint);
      await body[Symbol.asyncIterator]().next();
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    };
    const store = await Store.open(backends);
    await store.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
    const size = 4 * 1024 * 1024;
    const blob = await store.writeBlob(bufferStream(Buffer.alloc(size, 1)), size);
    const rec = objectRecord('k', [blob]);
    await store.commitObject('b', 'k', () => rec);
    failNext = true;
    await expect(copyBytes(store, rec, 0, size - 1, 'CRC32')).rejects.toMatchObject({ code: 'ENOSPC' });
    await store.deleteObject('b', 'k');
    const blobFiles = () =>
      readdirSync(join(dir, 'blobs')).flatMap((f) => readdirSync(join(dir, 'blobs', f))).length;
    expect(await until(() => blobFiles() === 0)).toBe(true);
  });
});
