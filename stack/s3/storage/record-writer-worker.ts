// Worker thread side of record-writer.ts: one record write or removal, or record log append,
// per message, as plain synchronous system calls (this thread does nothing else). Builtins
// only (and the frame and log formats).
//
// A record lives in two slot files (see DiskLayout.writeAtomic); a write goes to the slot not
// holding the current record, as a frame (record-frame.ts) with a higher sequence number.
// - An existing slot is written over in place and fdatasynced: no name changes, so no
//   directory needs syncing, and a same-size rewrite writes its data blocks alone. A crash
//   mid-write tears only this slot, whose CRC then fails; the other slot still holds the
//   current record.
// - A new slot file is written (a spare from tmp/ renamed into place, or a new file), then
//   fdatasynced, and its directory fsynced, and any directory the write created, so the
//   acknowledged record survives a power cut.

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
import { fsyncDirSync } from '../../util/fsync-dir.ts';
import { emptySlot, FRAME_HEADER, sealFrame } from './record-frame.ts';
import { writeZeros } from './record-log-format.ts';

export interface WriteJob {
  op: 'write';
  id: number;
  /** The slot file. */
  path: string;
  /** The slot file is not there yet (as far as the store knows). */
  create: boolean;
  /** A spare file in tmp/ to write and rename into place when creating. */
  spare?: string;
  seq: number;
  /** The payload is `bytes[FRAME_HEADER, FRAME_HEADER + length)` (the buffer is lent, and given back). */
  bytes: ArrayBuffer;
  length: number;
}

/** Entries appended to a record log file (record-log.ts), durably, or its header rewritten. */
export interface AppendJob {
  op: 'append';
  id: number;
  /** The log file, open in the main thread. */
  fd: number;
  /** Written at offset 0 before the entries: a new generation, or the file marked applied. */
  header?: Uint8Array;
  /** The entries are `bytes[0, length)`, written at `at` (the buffer is lent, and given back). */
  at: number;
  bytes?: ArrayBuffer;
  length: number;
  /** Zeros written over [aheadFrom, aheadTo), and synced, after the answer (see record-log.ts). */
  aheadFrom?: number;
  aheadTo?: number;
  /** The log file's directory, synced after the file was created. */
  syncDir?: string;
}

export interface RetireJob {
  op: 'retire';
  id: number;
  /** Slot files to remove, in this order, each durably before the next... */
  paths: string[];
  /** ...by moving each to the name beside it in tmp/, to become spares. */
  spares: string[];
}

export interface WriterReply {
  id: number;
  /** The lent buffer of a write, back to its owner. */
  bytes?: ArrayBuffer;
  /** Retire: for each path, whether it existed and is now its spare. */
  kept?: boolean[];
  /** The job failed. */
  error?: { message: string; code?: string };
  /**
   * The change was made (and must be treated as made) but a directory sync, or undoing a
   * failed write, failed: it is not known to survive a power cut.
   */
  unsynced?: { message: string; code?: string };
}

/** Bytes a slot file may hold past its frame before a rewrite cuts them off. */
const SLACK = 4096;

function described(err: unknown): { message: string; code?: string } {
  const e = err as NodeJS.ErrnoException;
  return { message: e.message, ...(e.code ? { code: e.code } : {}) };
}

/** Syncs `dir` and every directory up to `top` (the highest one a write created). */
function fsyncDirs(dir: string, top: string): void {
  for (let d = dir; ; d = dirname(d)) {
    fsyncDirSync(d);
    if (d === top || d === dirname(d)) break;
  }
}

/** Writes all of `bytes` at `at` in `fd`. */
function writeAll(fd: number, bytes: Uint8Array, at: number): void {
  for (let done = 0; done < bytes.length; )
    done += writeSync(fd, bytes, done, bytes.length - done, at + done);
}

/** Writes the frame at the start of `fd`, cuts off a long stale tail, and fdatasyncs. */
function writeFrame(fd: number, frame: Uint8Array): void {
  writeAll(fd, frame, 0);
  if (fstatSync(fd).size > frame.length + SLACK) ftruncateSync(fd, frame.length);
  fdatasyncSync(fd);
}

/** The change was made, but syncing it failed: reported as made, not durable. */
class Unsynced extends Error {
  /** Retire: the files that did become spares. */
  readonly kept: boolean[];
  constructor(cause: unknown, kept: boolean[] = []) {
    super('unsynced', { cause });
    this.kept = kept;
  }
}

/** After a failed write to a slot: see emptySlot. If even that fails, the disk is failing. */
function invalidate(path: string): Unsynced | undefined {
  try {
    emptySlot(path);
    return undefined;
  } catch (err) {
    return new Unsynced(err);
  }
}

function writeInPlace(path: string, frame: Uint8Array): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (err) {
    // A slot someone removed: created instead.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    writeFrame(fd, frame);
  } catch (err) {
    closeSync(fd);
    const u = invalidate(path);
    throw u ? Object.assign(err as Error, { unsyncedBy: u.cause }) : err;
  }
  closeSync(fd);
  return true;
}

/** Opens `path` for a new slot, making its directory if needed; the top directory made. */
function placeNew(place: () => void, path: string): string | undefined {
  try {
    place();
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const made = mkdirSync(dirname(path), { recursive: true });
  place();
  return made;
}

function create(job: WriteJob, frame: Uint8Array): void {
  let made: string | undefined;
  let fromSpare = false;
  if (job.spare) {
    let fd = -1;
    try {
      fd = openSync(job.spare, 'r+');
    } catch (err) {
      // A spare someone removed: a new file instead.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (fd >= 0) {
      try {
        writeFrame(fd, frame);
      } catch (err) {
        closeSync(fd);
        tryUnlink(job.spare);
        throw err;
      }
      closeSync(fd);
      fromSpare = true;
      try {
        // A link, not a rename: it never replaces a file already there (EEXIST instead).
        made = placeNew(() => linkSync(job.spare!, job.path), job.path);
      } finally {
        tryUnlink(job.spare);
      }
    }
  }
  if (!fromSpare) {
    let fd = -1;
    // Exclusive: a slot file the store did not know of is never truncated (EEXIST instead;
    // the store reads the slots back and tries again).
    made = placeNew(() => {
      fd = openSync(job.path, 'wx');
    }, job.path);
    try {
      writeFrame(fd, frame);
    } catch (err) {
      closeSync(fd);
      // Never acknowledged: removed, and emptied first in case the removal does not last.
      const u = invalidate(job.path);
      tryUnlink(job.path);
      throw u ? Object.assign(err as Error, { unsyncedBy: u.cause }) : err;
    }
    closeSync(fd);
  }
  try {
    fsyncDirs(dirname(job.path), made ? dirname(made) : dirname(job.path));
  } catch (err) {
    // The record is in place and complete: reporting a failure now would make the store
    // forget it and discard its bytes. It stands, not known durable.
    throw new Unsynced(err);
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function write(job: WriteJob): void {
  const frame = new Uint8Array(job.bytes, 0, FRAME_HEADER + job.length);
  sealFrame(frame, job.length, job.seq);
  if (!job.create && writeInPlace(job.path, frame)) return;
  create(job, frame);
}

function retire(job: RetireJob): boolean[] {
  const kept: boolean[] = [];
  let unsynced: unknown;
  for (const [i, path] of job.paths.entries()) {
    try {
      renameSync(path, job.spares[i]!);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        kept.push(false);
        continue;
      }
      throw err;
    }
    // Durable before the next slot goes (the current one last: if only the older slot went,
    // the record is unchanged) and before the file can be reused (its old name could come
    // back pointing at another record).
    try {
      fsyncDirSync(dirname(path));
      kept.push(true);
    } catch (err) {
      // Removed, not known durably: not reused; the rest are still removed.
      unsynced ??= err;
      tryUnlink(job.spares[i]!);
      kept.push(false);
    }
  }
  if (unsynced) throw new Unsynced(unsynced, kept);
  return kept;
}

/**
 * Writes the header (if any) and the entries, then fdatasyncs (the zeros ahead come after the
 * answer, in the message handler). On failure the entries are zeroed
 * (see voidEntries): the store treats them as not written, so they must never be replayed.
 */
function append(job: AppendJob): void {
  const { fd } = job;
  try {
    if (job.header) writeAll(fd, job.header, 0);
    if (job.bytes) writeAll(fd, new Uint8Array(job.bytes, 0, job.length), job.at);
    fdatasyncSync(fd);
  } catch (err) {
    if (job.length > 0) {
      try {
        writeZeros(fd, job.at, job.at + job.length);
        fdatasyncSync(fd);
      } catch (e) {
        throw Object.assign(err as Error, { unsyncedBy: e });
      }
    }
    throw err;
  }
  if (!job.syncDir) return;
  try {
    fsyncDirSync(job.syncDir);
  } catch (err) {
    // The entries are written and synced: they stand, not known durable.
    throw new Unsynced(err);
  }
}

parentPort!.on('message', (job: WriteJob | RetireJob | AppendJob) => {
  let reply: WriterReply;
  const bytes = job.op === 'write' || job.op === 'append' ? job.bytes : undefined;
  try {
    if (job.op === 'write') {
      write(job);
      reply = { id: job.id, bytes };
    } else if (job.op === 'append') {
      append(job);
      reply = { id: job.id, bytes };
    } else reply = { id: job.id, kept: retire(job) };
  } catch (err) {
    if (err instanceof Unsynced) {
      reply = {
        id: job.id,
        bytes,
        unsynced: described(err.cause),
        ...(job.op === 'retire' ? { kept: err.kept } : {}),
      };
    } else {
      const e = err as Error & { unsyncedBy?: unknown };
      reply = {
        id: job.id,
        bytes,
        error: described(e),
        ...(e.unsyncedBy ? { unsynced: described(e.unsyncedBy) } : {}),
      };
    }
  }
  parentPort!.postMessage(reply, bytes ? [bytes] : []);
  if (job.op === 'append' && job.aheadTo !== undefined) {
    try {
      writeZeros(job.fd, job.aheadFrom!, job.aheadTo);
      fdatasyncSync(job.fd);
    } catch {
      // Only later appends' speed depended on them.
    }
  }
});
