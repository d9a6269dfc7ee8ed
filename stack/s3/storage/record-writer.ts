// Record writes and removals (disk storage) on worker threads, each one message instead of a
// thread-pool round trip per system call (open, write, stat, fdatasync, close, and for a new
// file a rename and directory fsyncs): on 2 cores those trips cost more than the calls. Two
// workers, so two fdatasyncs can be under way at once (as the thread pool allowed), and a third
// for record logs' appends alone (record-log.ts), shared by every store in the process,
// started on first use and holding the process open only while a job is pending. The workers
// do what DiskLayout.writeAtomic describes.
import { Worker } from 'node:worker_threads';
import { emptySlot, FRAME_HEADER } from './record-frame.ts';
import type { AppendJob, RetireJob, WriteJob, WriterReply } from './record-writer-worker.ts';

const WORKERS = 2;

interface Pending {
  resolve(kept: boolean[]): void;
  reject(err: Error): void;
  /** Undoes what the job may have written when the worker dies under it. */
  undo?: () => void;
}

class Writer {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  alive = true;

  constructor() {
    this.worker = new Worker(new URL('./record-writer-worker.ts', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (r: WriterReply) => {
      if (r.bytes) release(r.bytes);
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.worker.unref();
      if (!p) return;
      if (r.unsynced) warnUnsynced(r.unsynced);
      if (r.error)
        p.reject(Object.assign(new Error(r.error.message), r.error.code ? { code: r.error.code } : {}));
      else p.resolve(r.kept ?? []);
    });
    const fail = (err: Error) => {
      this.alive = false;
      for (const p of this.pending.values()) {
        try {
          p.undo?.();
        } catch (e) {
          warnUnsynced(e as NodeJS.ErrnoException);
        }
        p.reject(err);
      }
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`record writer exited (${code})`)));
  }

  submit(job: WriteJob | RetireJob | AppendJob, undo?: () => void): Promise<boolean[]> {
    return new Promise((resolve, reject) => {
      this.pending.set(job.id, { resolve, reject, ...(undo ? { undo } : {}) });
      this.worker.ref();
      const bytes = job.op === 'write' || job.op === 'append' ? job.bytes : undefined;
      this.worker.postMessage(job, bytes ? [bytes] : []);
    });
  }
}

/**
 * Buffers for the bytes of a write, lent to a worker and given back with its answer. Each
 * write allocating its own left them to the worker's garbage collector, which hardly runs in
 * a thread that allocates nothing else: the small-object benchmark's disk server grew by ~70 MB
 * more (387 -> 458 MB RSS).
 */
const POOL_MAX = 16;
const POOLED_MAX_BYTES = 1024 * 1024;
const MIN_BUFFER = FRAME_HEADER + 64 * 1024 + 4096;
const free: ArrayBuffer[] = [];

function borrow(size: number): ArrayBuffer {
  for (let i = free.length - 1; i >= 0; i--) {
    if (free[i]!.byteLength >= size) return free.splice(i, 1)[0]!;
  }
  return new ArrayBuffer(Math.max(size, MIN_BUFFER));
}

function release(bytes: ArrayBuffer): void {
  if (free.length < POOL_MAX && bytes.byteLength <= POOLED_MAX_BYTES) free.push(bytes);
}

let warned = false;

/**
 * A change made but not known durable (a directory's fsync failed): the disk under the data
 * directory is reporting errors. Said once per process; the change itself stands.
 */
export function warnUnsynced(err: { message: string; code?: string }): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    `S3 disk storage: syncing to disk failed (${err.code ?? err.message}); recent changes may not survive a power cut`,
    { code: 'S3_STORAGE_NOT_DURABLE' },
  );
}

const writers: (Writer | undefined)[] = [];
/**
 * Record logs' appends have a worker of their own: never behind a bucket record's write (a new
 * slot file took ~1 ms here), longer than the rest of a small PUT.
 */
let logWriter: Writer | undefined;
let nextId = 1;

/** The least busy live writer, started if needed. */
function writer(): Writer {
  let best: Writer | undefined;
  for (let i = 0; i < WORKERS; i++) {
    let w = writers[i];
    if (!w?.alive) {
      w = new Writer();
      writers[i] = w;
    }
    if (!best || w.pending.size < best.pending.size) best = w;
    if (w.pending.size === 0) break;
  }
  return best!;
}

/**
 * Writes `chunks` as a frame with sequence number `seq` into the slot file `path`: in place if
 * it exists, else created (from `spare` if given) with its directory synced. Resolves once it
 * is durable. On failure the slot holds no valid frame.
 */
export async function writeRecord(
  chunks: Buffer[],
  target: { path: string; create: boolean; spare?: string; seq: number },
): Promise<void> {
  // One buffer of our own, transferred (cloning views would copy whole pooled slabs) and
  // handed back with the answer; the worker fills in the frame's header before the payload.
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const bytes = borrow(FRAME_HEADER + total);
  const view = new Uint8Array(bytes);
  let at = FRAME_HEADER;
  for (const c of chunks) {
    view.set(c, at);
    at += c.length;
  }
  // The dead writer may have been writing this slot (see emptySlot).
  await writer().submit({ op: 'write', id: nextId++, ...target, bytes, length: total }, () =>
    emptySlot(target.path),
  );
}

/**
 * Moves each of `paths` to the spare name beside it (in tmp/), in order, syncing its directory
 * after each. Resolves, per path, whether it existed and is now a spare.
 */
export function retireRecords(paths: string[], spares: string[]): Promise<boolean[]> {
  return writer().submit({ op: 'retire', id: nextId++, paths, spares });
}

/**
 * Runs an append to a record log (see AppendJob), the entries laid out by `fill` into a buffer
 * of `job.length` bytes. Resolves once they are durable; `undo` runs if the worker dies under
 * the job.
 */
export async function appendLog(
  job: Omit<AppendJob, 'op' | 'id' | 'bytes'>,
  fill: (into: Uint8Array) => void,
  undo: () => void,
): Promise<void> {
  let bytes: ArrayBuffer | undefined;
  if (job.length > 0) {
    bytes = borrow(job.length);
    fill(new Uint8Array(bytes, 0, job.length));
  }
  if (!logWriter?.alive) logWriter = new Writer();
  await logWriter.submit({ op: 'append', id: nextId++, ...job, ...(bytes ? { bytes } : {}) }, undo);
}
