// BlobFile (disk storage's large-blob writer): it keeps the body's own chunks until written,
// so how far a body may run ahead of the disk is bounded by write() waiting, not by memory.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { BlobFile } from '../../stack/s3/storage/blob-file.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/**
 * Whether `p` settles within a few microtask turns: no I/O completes meanwhile, so a promise
 * that waits on the disk cannot settle, and one resolved at once does.
 */
async function settledNow(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return settled;
}

it('makes a body that runs far ahead of the disk wait, then writes every byte in order', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'blob-file-'));
  dirs.push(dir);
  const path = join(dir, 'blob');
  const file = new BlobFile(path);
  const MiB = 1024 * 1024;
  const chunks = Array.from({ length: 12 }, (_, i) => Buffer.alloc(MiB, i + 1));
  // Handed over at once, none awaited: no write can have finished yet.
  const answers = chunks.map((c) => file.write(c));
  // Less than 8 MiB in flight is taken at once; the write that brings it to 8 MiB waits.
  for (const a of answers.slice(0, 7)) expect(await settledNow(a)).toBe(true);
  expect(await settledNow(answers[7]!)).toBe(false);
  await Promise.all(answers);
  await file.end();
  expect((await readFile(path)).equals(Buffer.concat(chunks))).toBe(true);
});

it('a file that cannot be created fails end(), and abort() after it still resolves', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'blob-file-'));
  dirs.push(dir);
  const file = new BlobFile(join(dir, 'missing-dir', 'blob'));
  await file.write(Buffer.alloc(2 * 1024 * 1024));
  await expect(file.end()).rejects.toMatchObject({ code: 'ENOENT' });
  await file.abort();
});
