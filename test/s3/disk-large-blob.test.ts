// Large blobs on disk are written in batches of the body's own chunks (blob-file.ts), flushed
// while they arrive (an fdatasync every few MiB) and once more at the end: the bytes are
// exactly what was sent, across a restart, also for several bodies at once; a body that fails
// mid-way leaves no file behind, and a file that cannot be written fails its PUT without
// stopping the next one.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
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

  it('writes several bodies at once, each byte for byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'disk-large-'));
    dirs.push(dir);
    const { blobs } = await diskBackends(dir);
    // Together far more than the writer's 8 MiB of buffers: they take turns with them.
    const sizes = [6 * 1024 * 1024 + 1, 5 * 1024 * 1024 + 77, 7 * 1024 * 1024];
    const refs = await Promise.all(sizes.map((n) => blobs.write(body(n))));
    for (const [i, ref] of refs.entries()) {
      expect(ref.size).toBe(sizes[i]);
      expect(await digest(blobs.read(ref, 0, ref.size - 1))).toBe(await digest(body(sizes[i]!)));
    }
    expect((await blobs.list()).sort()).toEqual(refs.map((r) => r.id).sort());
  });

  it('fails the write when its file cannot be created, and writes again once it can', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'disk-large-'));
    dirs.push(dir);
    const { blobs } = await diskBackends(dir);
    // tmp/ replaced by a plain file: creating anything in it fails (ENOTDIR), even as root.
    await rm(join(dir, 'tmp'), { recursive: true });
    await writeFile(join(dir, 'tmp'), '');
    await expect(blobs.write(body(3 * 1024 * 1024))).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await blobs.list()).toEqual([]);
    await rm(join(dir, 'tmp'));
    await mkdir(join(dir, 'tmp'));
    const ok = await blobs.write(body(3 * 1024 * 1024));
    expect(await digest(blobs.read(ok, 0, ok.size - 1))).toBe(await digest(body(3 * 1024 * 1024)));
  });
});
