// Worker thread side of blob-writer.ts: one large blob file per job, written with synchronous
// system calls in the batches the main thread sends, fdatasynced every FLUSH_EVERY bytes and
// at the end. Builtins only.
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export type BlobMessage =
  | { op: 'data'; id: number; path: string; bytes: ArrayBuffer; length: number }
  | { op: 'end'; id: number; path: string }
  | { op: 'abort'; id: number };

export type BlobReply =
  | { op: 'returned'; bytes: ArrayBuffer }
  | { op: 'done'; id: number; error?: { message: string; code?: string } };

/** Bytes written between two flushes: the flush at the end then finds little left. */
const FLUSH_EVERY = 4 * 1024 * 1024;

interface Job {
  fd: number;
  at: number;
  unflushed: number;
  error?: NodeJS.ErrnoException;
}

const jobs = new Map<number, Job>();

function job(id: number, path: string): Job {
  let j = jobs.get(id);
  if (!j) {
    j = { fd: -1, at: 0, unflushed: 0 };
    jobs.set(id, j);
    try {
      // Exclusive: a name that is taken is not ours to write over.
      j.fd = openSync(path, 'wx');
    } catch (err) {
      j.error = err as NodeJS.ErrnoException;
    }
  }
  return j;
}

function close(j: Job): void {
  if (j.fd < 0) return;
  try {
    closeSync(j.fd);
  } catch (err) {
    j.error ??= err as NodeJS.ErrnoException;
  }
  j.fd = -1;
}

parentPort!.on('message', (m: BlobMessage) => {
  if (m.op === 'abort') {
    const j = jobs.get(m.id);
    jobs.delete(m.id);
    if (j) close(j);
    parentPort!.postMessage({ op: 'done', id: m.id } satisfies BlobReply);
    return;
  }
  const j = job(m.id, m.path);
  if (m.op === 'data') {
    // Bytes after an error are dropped: the write has failed, `end` says so.
    if (!j.error) {
      try {
        const view = new Uint8Array(m.bytes, 0, m.length);
        let done = 0;
        while (done < m.length) done += writeSync(j.fd, view, done, m.length - done, j.at + done);
        j.at += m.length;
        j.unflushed += m.length;
        if (j.unflushed >= FLUSH_EVERY) {
          j.unflushed = 0;
          fdatasyncSync(j.fd);
        }
      } catch (err) {
        j.error = err as NodeJS.ErrnoException;
      }
    }
    parentPort!.postMessage({ op: 'returned', bytes: m.bytes } satisfies BlobReply, [m.bytes]);
    return;
  }
  jobs.delete(m.id);
  if (!j.error) {
    try {
      fdatasyncSync(j.fd);
    } catch (err) {
      j.error = err as NodeJS.ErrnoException;
    }
  }
  close(j);
  const e = j.error;
  parentPort!.postMessage({
    op: 'done',
    id: m.id,
    ...(e ? { error: { message: e.message, ...(e.code ? { code: e.code } : {}) } } : {}),
  } satisfies BlobReply);
});
