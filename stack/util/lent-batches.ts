// Feeding a worker thread the bytes of a stream in batches: chunks are copied into ArrayBuffers
// from a bounded pool and each full one is transferred (lent) to the worker, which sends it
// back once done with it. The pool's bound is how far the worker may fall behind; a transfer
// per batch instead of a cloned message per chunk keeps the sending thread's cost to a copy.
import { Worker } from 'node:worker_threads';

export class LentPool {
  readonly #size: number;
  readonly #max: number;
  #allocated = 0;
  /** Buffers out with the worker now. */
  #lent = 0;
  readonly #free: ArrayBuffer[] = [];
  #waiting: (() => void)[] = [];

  /** Up to `max` buffers of `size` bytes. */
  constructor(size: number, max: number) {
    this.#size = size;
    this.#max = max;
  }

  take(): ArrayBuffer | undefined {
    const b = this.#free.pop();
    if (b) return b;
    if (this.#allocated >= this.#max) return undefined;
    this.#allocated++;
    return new ArrayBuffer(this.#size);
  }

  /** A taken buffer went to the worker. */
  lent(): void {
    this.#lent++;
  }

  /** A lent buffer back from the worker. */
  returned(b: ArrayBuffer): void {
    if (this.#lent > 0) this.#lent--;
    this.give(b);
  }

  /**
   * A buffer back, unused or from the worker. Every waiter is woken (each takes a buffer or
   * waits again): waking one could wake a feed stopped since, and the buffer would sit unused.
   */
  give(b: ArrayBuffer): void {
    this.#free.push(b);
    this.#wakeAll();
  }

  /** Calls `wake` when a buffer comes back. */
  wait(wake: () => void): void {
    this.#waiting.push(wake);
  }

  /** The worker died: the buffers lent to it are gone, and as many new ones may be made. */
  lost(): void {
    this.#allocated -= this.#lent;
    this.#lent = 0;
    this.#wakeAll();
  }

  #wakeAll(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }
}

/**
 * One stream's batches: `write`s in order, then `flush`, or `stop` at any time. Once `send`
 * reports the worker gone, bytes are dropped (and `ready` called at once): the stream's end
 * then fails, asked of a dead worker, and the pool's buffers stay with the living.
 */
export class BatchFeed {
  readonly #pool: LentPool;
  readonly #send: (bytes: ArrayBuffer, length: number) => boolean;
  #buf: Uint8Array | undefined;
  #at = 0;
  #stopped = false;
  #dead = false;

  /**
   * `send` transfers a full (or, at the end, the last) batch to the worker, and answers false
   * if its worker has died.
   */
  constructor(pool: LentPool, send: (bytes: ArrayBuffer, length: number) => boolean) {
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
      while (from < bytes.length && !this.#dead) {
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
    if (this.#send(bytes, this.#at)) this.#pool.lent();
    else {
      this.#dead = true;
      this.#pool.give(bytes);
    }
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

  /** Posts to `w` if it is still the live worker; false if it died (the message is not sent). */
  post(w: Worker, message: unknown, transfer: ArrayBuffer[] = []): boolean {
    if (this.#worker !== w) return false;
    w.postMessage(message, transfer);
    return true;
  }

  hold(w: Worker): void {
    if (this.#worker === w && this.#holders++ === 0) w.ref();
  }

  release(w: Worker): void {
    if (this.#worker === w && --this.#holders === 0) w.unref();
  }
}
