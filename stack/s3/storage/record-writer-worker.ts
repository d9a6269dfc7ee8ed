// Worker thread side of record-writer.ts: one record write or removal per message, as plain
// synchronous system calls (this thread does nothing else). Builtins only.
//
// Durability: a record's bytes are fdatasynced before its rename, and its directory is fsynced
// after it (and any directory the write had to create), so an acknowledged write survives a
// power cut. The directory sync is also what makes the displaced file safe to reuse as a
// spare: until the new name is on disk, a power cut could bring back the old name pointing at
// that file, by then holding some other record.
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
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
  op: 'write';
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

export interface RetireJob {
  op: 'retire';
  id: number;
  /** The record file to remove... */
  path: string;
  /** ...by moving it here (in tmp/), to become a spare. */
  spare: string;
}

export interface WriterReply {
  id: number;
  /** The lent buffer of a write, back to its owner. */
  bytes?: ArrayBuffer;
  /** Write: the old file is now `old`. Retire: the file existed and is now `spare`. */
  kept?: boolean;
  /** The job failed and changed nothing visible. */
  error?: { message: string; code?: string };
  /**
   * The rename was done (the change is visible, and must be treated as made) but syncing its
   * directory failed, so it is not known to survive a power cut.
   */
  unsynced?: { message: string; code?: string };
}

interface Outcome {
  kept: boolean;
  unsynced?: NodeJS.ErrnoException;
}

function described(err: unknown): { message: string; code?: string } {
  const e = err as NodeJS.ErrnoException;
  return { message: e.message, ...(e.code ? { code: e.code } : {}) };
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
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

function write(job: WriteJob): Outcome {
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
  const dir = dirname(job.dest);
  // The top directory the write created, if it had to create any.
  let made: string | undefined;
  try {
    renameSync(job.tmp, job.dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      tryUnlink(job.tmp);
      if (kept) tryUnlink(job.old);
      throw err;
    }
    made = mkdirSync(dir, { recursive: true });
    renameSync(job.tmp, job.dest);
  }
  // The new name, and every directory made for it, on disk.
  const top = made ? dirname(made) : dir;
  try {
    for (let d = dir; ; d = dirname(d)) {
      fsyncDir(d);
      if (d === top || d === dirname(d)) break;
    }
  } catch (err) {
    // The new record is in place: reporting a failure now would make the store forget it and
    // discard its bytes. The displaced file must not be reused, though: its old name might
    // come back after a power cut.
    if (kept) tryUnlink(job.old);
    return { kept: false, unsynced: err as NodeJS.ErrnoException };
  }
  return { kept };
}

function retire(job: RetireJob): Outcome {
  try {
    renameSync(job.path, job.spare);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kept: false };
    throw err;
  }
  try {
    fsyncDir(dirname(job.path));
  } catch (err) {
    // Removed, but not known durably: not a spare (see write()).
    tryUnlink(job.spare);
    return { kept: false, unsynced: err as NodeJS.ErrnoException };
  }
  return { kept: true };
}

parentPort!.on('message', (job: WriteJob | RetireJob) => {
  let reply: WriterReply;
  const bytes = job.op === 'write' ? job.bytes : undefined;
  try {
    const { kept, unsynced } = job.op === 'write' ? write(job) : retire(job);
    reply = { id: job.id, bytes, kept, ...(unsynced ? { unsynced: described(unsynced) } : {}) };
  } catch (err) {
    reply = { id: job.id, bytes, error: described(err) };
  }
  parentPort!.postMessage(reply, bytes ? [bytes] : []);
});
