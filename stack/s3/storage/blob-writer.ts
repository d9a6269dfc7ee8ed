// Large blob files (disk storage) written on a worker thread: the main thread copies a body's
// chunks into pooled 1 MiB buffers and lends them to the worker, which writes them with plain
// synchronous calls and fdatasyncs as it goes. Through fs streams each 64 KiB chunk cost a
// thread-pool round trip, a promise and a garbage buffer on the request's own thread, which
// a large PUT shares with its hashing.
import { Worker } from 'node:worker_threads';
import type { BlobMessage, BlobReply } from './blob-writer-worker.ts';

const BATCH = 1024 * 1024;
/** Buffers lent at once, over all writes: how far bodies may run ahead of the disk. */
const POOL = 8;

let worker: Worker | undefined;
let busy = 0;
let nextId = 1;
let allocated = 0;
const free: ArrayBuffer[] = [];
const waiting: (() => void)[] = [];
const finishing = new Map<number, (err?: Error) => void>();

function theWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./blob-writer-worker.ts', import.meta.url));
  w.unref();
  w.on('message', (r: BlobReply) => {
    if (r.op === 'returned') {
      free.push(r.bytes);
      waiting.shift()?.();
      return;
    }
    const done = finishing.get(r.id);
    finishing.delete(r.id);
    done?.(
      r.error
        ? Object.assign(new Error(r.error.message), r.error.code ? { code: r.error.code } : {})
        : undefined,
    );
  });
  const fail = (err: Error) => {
    worker = undefined;
    for (const done of finishing.values()) done(err);
    finishing.clear();
    // Buffers lent to a dead worker are gone; let waiters allocate again.
    allocated = free.length;
    for (const w of waiting.splice(0)) w();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`blob writer exited (${code})`)));
  worker = w;
  return w;
}

function takeBuffer(): ArrayBuffer | undefined {
  const b = free.pop();
  if (b) return b;
  if (allocated >= POOL) return undefined;
  allocated++;
  return new ArrayBuffer(BATCH);
}

/** One blob file being written. `write` and `end` in order; `abort` at any time. */
export class BlobFile {
  readonly #id = nextId++;
  readonly #path: string;
  readonly #worker: Worker;
  #buf: Uint8Array | undefined;
  #at = 0;
  #closed = false;

  constructor(path: string) {
    this.#path = path;
    this.#worker = theWorker();
    if (busy++ === 0) this.#worker.ref();
  }

  /** Takes a copy of `chunk`; resolves once the caller may write again. */
  async write(chunk: Uint8Array): Promise<void> {
    let from = 0;
    while (from < chunk.length) {
      if (!this.#buf) {
        let b = takeBuffer();
        while (!b) {
          await new Promise<void>((resolve) => waiting.push(resolve));
          b = takeBuffer();
        }
        this.#buf = new Uint8Array(b);
        this.#at = 0;
      }
      const n = Math.min(chunk.length - from, BATCH - this.#at);
      this.#buf.set(n === chunk.length ? chunk : chunk.subarray(from, from + n), this.#at);
      this.#at += n;
      from += n;
      if (this.#at === BATCH) this.#send();
    }
  }

  #send(): void {
    const bytes = this.#buf!.buffer as ArrayBuffer;
    this.#buf = undefined;
    const m: BlobMessage = { op: 'data', id: this.#id, path: this.#path, bytes, length: this.#at };
    this.#worker.postMessage(m, [bytes]);
  }

  /** Resolves once every byte is written and fdatasynced, and the file closed. */
  end(): Promise<void> {
    if (this.#buf && this.#at > 0) this.#send();
    this.#giveBack();
    return new Promise<void>((resolve, reject) => {
      finishing.set(this.#id, (err) => {
        this.#release();
        if (err) reject(err);
        else resolve();
      });
      this.#worker.postMessage({ op: 'end', id: this.#id, path: this.#path } satisfies BlobMessage);
    });
  }

  /**
   * Stops; resolves once the worker has closed the file (it may be the one to create it, so
   * the caller removes it only after this).
   */
  abort(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#giveBack();
    return new Promise<void>((resolve) => {
      finishing.set(this.#id, () => {
        this.#release();
        resolve();
      });
      this.#worker.postMessage({ op: 'abort', id: this.#id } satisfies BlobMessage);
    });
  }

  #giveBack(): void {
    if (this.#buf) free.push(this.#buf.buffer as ArrayBuffer);
    this.#buf = undefined;
  }

  #release(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (--busy === 0) this.#worker.unref();
  }
}
