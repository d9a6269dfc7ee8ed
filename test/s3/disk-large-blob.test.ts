// Large blobs on disk are flushed while they arrive (a background fdatasync every few MiB) and
// once more at the end: the bytes are exactly what was sent, across a restart, and a body that
// fails mid-way (a flush may be running) leaves no file behind.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { diskBackends } from '../../stack/s3/storage/disk-backend.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** `total` bytes in 64 KiB chunks of a pattern that differs per chunk; fails after `failAt` if set. */
function body(total: number, failAt?: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (failAt !== undefined && sent >= failAt) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (sent >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(64 * 1024, total - sent);
      const chunk = Buffer.alloc(n, (sent / 65536) & 0xff);
      sent += n;
      // Asynchronously, as a socket delivers: the flushes overlap the arrival.
      setImmediate(() => this.push(chunk));
    },
  });
}

const digest = async (r: Readable) => {
  const h = createHash('sha256');
  for await (const c of r) h.update(c as Buffer);
  return h.digest('hex');
};

describe('large blobs on disk', () => {
  it('stores a body many flush intervals long byte for byte, and finds it after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'disk-large-'));
    dirs.push(dir);
    const size = 13 * 1024 * 1024 + 5;
    const { blobs } = await diskBackends(dir);
    const ref = await blobs.write(body(size));
    expect(ref.size).toBe(size);
    expect(ref.inline).toBeUndefined();
    const expected = await digest(body(size));
    expect(await digest(blobs.read(ref, 0, size - 1))).toBe(expected);
    const again = await diskBackends(dir);
    expect(await again.blobs.list()).toEqual([ref.id]);
    expect(await digest(again.blobs.read(ref, 0, size - 1))).toBe(expected);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('leaves nothing behind when the body fails after several flushes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'disk-large-'));
    dirs.push(dir);
    const { blobs } = await diskBackends(dir);
    await expect(blobs.write(body(20 * 1024 * 1024, 9 * 1024 * 1024))).rejects.toThrow(/client went away/);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await blobs.list()).toEqual([]);
    // The backend still writes.
    const ok = await blobs.write(body(5 * 1024 * 1024));
    expect(await blobs.list()).toEqual([ok.id]);
  });
});
