// Feeding a worker thread the bytes of a stream in batches: chunks are copied into ArrayBuffers
// from a bounded pool and each full one is transferred (lent) to the worker, which sends it
// back once done with it. The pool's bound is how far the worker may fall behind; a transfer
// per batch instead of a cloned message per chunk keeps the sending thread's cost to a copy.
import { Worker } from 'node:worker_threads';

export class LentPool {
  readonly #size: number;
  readonly #max: number;
  #allocated = 0;
  readonly #free: ArrayBuffer[] = [];
  readonly #waiting: (() => void)[] = [];

  /** Up to `max` buffers of `size` bytes. */
  constructor(size: number, max: number) {
    this.#size = size;
    this.#max = max;
  }

  get size(): number {
    return this.#size;
  }

  take(): ArrayBuffer | undefined {
    const b = this.#free.pop();
    if (b) return b;
    if (this.#allocated >= this.#max) return undefined;
    this.#allocated++;
    return new ArrayBuffer(this.#size);
  }

  /** A buffer back, from the worker or unused; wakes one waiter. */
  give(b: ArrayBuffer): void {
    this.#free.push(b);
    this.#waiting.shift()?.();
  }

  /** Calls `wake` when a buffer comes back. */
  wait(wake: () => void): void {
    this.#waiting.push(wake);
  }

  /** The worker holding the lent buffers died: they are gone, new ones may be made. */
  lost(): void {
    this.#allocated = this.#free.length;
    for (const wake of this.#waiting.splice(0)) wake();
  }
}

/** One stream's batches: `write`s in order, then `flush`, or `stop` at any time. */
export class BatchFeed {
  readonly #pool: LentPool;
  readonly #send: (bytes: ArrayBuffer, length: number) => void;
  #buf: Uint8Array | undefined;
  #at = 0;
  #stopped = false;

  /** `send` transfers a full (or, at the end, the last) batch to the worker. */
  constructor(pool: LentPool, send: (bytes: ArrayBuffer, length: number) => void) {
    this.#pool = pool;
    this.#send = send;
  }

  /**
   * Copies `bytes` into batches and calls `ready` once all are taken: at once, unless every
   * buffer is lent, then when one comes back. After `stop`, `ready` is never called.
   */
  write(bytes: Uint8Array, ready: () => void): void {
    let from = 0;
    const step = (): void => {
      while (from < bytes.length) {
        if (this.#stopped) return;
        if (!this.#buf) {
          const b = this.#pool.take();
          if (!b) {
            this.#pool.wait(step);
            return;
          }
          this.#buf = new Uint8Array(b);
          this.#at = 0;
        }
        const n = Math.min(bytes.length - from, this.#buf.length - this.#at);
        this.#buf.set(n === bytes.length ? bytes : bytes.subarray(from, from + n), this.#at);
        this.#at += n;
        from += n;
        if (this.#at === this.#buf.length) this.#sendBatch();
      }
      ready();
    };
    step();
  }

  /** Sends the part-filled last batch, if any. */
  flush(): void {
    if (this.#buf && this.#at > 0) this.#sendBatch();
  }

  /** No more writes: a buffer being filled goes back to the pool unsent. */
  stop(): void {
    this.#stopped = true;
    if (this.#buf) this.#pool.give(this.#buf.buffer as ArrayBuffer);
    this.#buf = undefined;
  }

  #sendBatch(): void {
    const bytes = this.#buf!.buffer as ArrayBuffer;
    this.#buf = undefined;
    this.#send(bytes, this.#at);
  }
}

/**
 * A worker started on first use and replaced if it dies, holding the process open only while
 * someone `hold`s it. `onDeath` hears of each death (once).
 */
export class OnDemandWorker<Reply> {
  readonly #url: URL;
  readonly #name: string;
  readonly #onReply: (r: Reply) => void;
  readonly #onDeath: (err: Error) => void;
  #worker: Worker | undefined;
  #holders = 0;

  constructor(url: URL, name: string, onReply: (r: Reply) => void, onDeath: (err: Error) => void) {
    this.#url = url;
    this.#name = name;
    this.#onReply = onReply;
    this.#onDeath = onDeath;
  }

  /** The live worker, started if needed. */
  get(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(this.#url);
    w.unref();
    w.on('message', this.#onReply);
    const died = (err: Error) => {
      if (this.#worker !== w) return;
      this.#worker = undefined;
      this.#holders = 0;
      this.#onDeath(err);
    };
    w.on('error', died);
    w.on('exit', (code) => died(new Error(`${this.#name} exited (${code})`)));
    this.#worker = w;
    return w;
  }

  /** Whether `w` is still the live worker. */
  alive(w: Worker): boolean {
    return this.#worker === w;
  }

  hold(w: Worker): void {
    if (this.#worker === w && this.#holders++ === 0) w.ref();
  }

  release(w: Worker): void {
    if (this.#worker === w && --this.#holders === 0) w.unref();
  }
}
