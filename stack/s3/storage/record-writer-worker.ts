// Worker thread side of record-writer.ts: one atomic record write per message, as plain
// synchronous system calls (this thread does nothing else), answered with whether the old
// file was kept as a spare. Builtins only.
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';

export interface WriteJob {
  id: number;
  /** The file to write: a spare (written over in place) or a new name in tmp/. */
  tmp: string;
  spare: boolean;
  dest: string;
  /** The name in tmp/ the old `dest` gets, to become a spare. */
  old: string;
  /** The record's bytes are its first `length` (the buffer is lent, and given back). */
  bytes: ArrayBuffer;
  length: number;
}

export interface WriteReply {
  id: number;
  /** The lent buffer, back to its owner. */
  bytes?: ArrayBuffer;
  kept?: boolean;
  error?: { message: string; code?: string };
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function openTarget(job: WriteJob): number {
  if (!job.spare) return openSync(job.tmp, 'wx');
  try {
    return openSync(job.tmp, 'r+');
  } catch (err) {
    // A spare someone removed: start a new file under its name.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return openSync(job.tmp, 'wx');
    throw err;
  }
}

function write(job: WriteJob): boolean {
  const bytes = new Uint8Array(job.bytes, 0, job.length);
  // Opening a new name exclusively fails if the name is taken: that file is not ours to remove.
  const fd = openTarget(job);
  try {
    try {
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at, at);
      // A spare is written over in place, not truncated first: a same-size rewrite then
      // allocates no blocks, and its fdatasync writes the data alone.
      if (job.spare && fstatSync(fd).size > bytes.length) ftruncateSync(fd, bytes.length);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    tryUnlink(job.tmp);
    throw err;
  }
  let kept = false;
  try {
    linkSync(job.dest, job.old);
    kept = true;
  } catch {
    // No old file (a new record).
  }
  try {
    renameSync(job.tmp, job.dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      tryUnlink(job.tmp);
      if (kept) tryUnlink(job.old);
      throw err;
    }
    // The fan-out directory does not exist yet.
    mkdirSync(dirname(job.dest), { recursive: true });
    renameSync(job.tmp, job.dest);
  }
  return kept;
}

parentPort!.on('message', (job: WriteJob) => {
  let reply: WriteReply;
  try {
    reply = { id: job.id, bytes: job.bytes, kept: write(job) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply = {
      id: job.id,
      bytes: job.bytes,
      error: { message: e.message, ...(e.code ? { code: e.code } : {}) },
    };
  }
  parentPort!.postMessage(reply, [job.bytes]);
});
