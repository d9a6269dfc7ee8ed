// MD5 of large bodies on a worker thread, beside the request's own thread. MD5 is the one hash
// OpenSSL cannot speed up (~650 MB/s here): two thirds of a large PUT's hashing, which ran on
// the thread that also reads the socket and computes SHA-256 and the CRC. Measured on a 64 MiB
// PUT with the AWS SDK: ~205 -> ~270 MB/s (memory storage), on 2 cores with the client beside.
import { Worker } from 'node:worker_threads';
import type { Md5Message, Md5Reply } from './md5-worker.ts';

const BATCH = 1024 * 1024;
/** Buffers lent at once, over all bodies: how far the hashing may fall behind the socket. */
const POOL = 8;

let worker: Worker | undefined;
let users = 0;
let nextId = 1;
let allocated = 0;
const free: ArrayBuffer[] = [];
const waiting: (() => void)[] = [];
const digests = new Map<number, (md5: Buffer | Error) => void>();

function theWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./md5-worker.ts', import.meta.url));
  w.unref();
  w.on('message', (r: Md5Reply) => {
    if (r.op === 'returned') {
      free.push(r.bytes);
      waiting.shift()?.();
      return;
    }
    const done = digests.get(r.id);
    digests.delete(r.id);
    done?.(Buffer.from(r.md5.buffer, r.md5.byteOffset, r.md5.byteLength));
  });
  const fail = (err: Error) => {
    if (worker !== w) return;
    worker = undefined;
    for (const done of digests.values()) done(err);
    digests.clear();
    // Buffers lent to the dead worker are gone: let the pool allocate again.
    allocated = free.length;
    for (const wake of waiting.splice(0)) wake();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`MD5 worker exited (${code})`)));
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

/** One body's MD5, computed on the worker: `update`s in order, then `digest` or `drop`. */
export class OffloadedMd5 {
  readonly #id = nextId++;
  readonly #worker: Worker;
  #buf: Uint8Array | undefined;
  #at = 0;
  #done = false;

  constructor() {
    this.#worker = theWorker();
    if (users++ === 0) this.#worker.ref();
  }

  /**
   * Copies `bytes` out, and calls `ready` once they are all taken: at once, unless every
   * buffer is lent (the worker is behind), then when one comes back.
   */
  update(bytes: Uint8Array, ready: () => void): void {
    let from = 0;
    const step = (): void => {
      while (from < bytes.length) {
        // Dropped while waiting for a buffer: nothing more goes to the worker.
        if (this.#done) return;
        if (!this.#buf) {
          const b = takeBuffer();
          if (!b) {
            waiting.push(step);
            return;
          }
          this.#buf = new Uint8Array(b);
          this.#at = 0;
        }
        const n = Math.min(bytes.length - from, BATCH - this.#at);
        this.#buf.set(n === bytes.length ? bytes : bytes.subarray(from, from + n), this.#at);
        this.#at += n;
        from += n;
        if (this.#at === BATCH) this.#send();
      }
      ready();
    };
    step();
  }

  #send(): void {
    const bytes = this.#buf!.buffer as ArrayBuffer;
    this.#buf = undefined;
    this.#worker.postMessage({ op: 'data', id: this.#id, bytes, length: this.#at } satisfies Md5Message, [
      bytes,
    ]);
  }

  #giveBack(): void {
    if (this.#buf) {
      free.push(this.#buf.buffer as ArrayBuffer);
      waiting.shift()?.();
    }
    this.#buf = undefined;
  }

  /** The MD5 of every byte given; rejects only if the worker died. */
  digest(): Promise<Buffer> {
    if (this.#buf && this.#at > 0) this.#send();
    this.#giveBack();
    return new Promise((resolve, reject) => {
      if (worker !== this.#worker) {
        this.#release();
        reject(new Error('MD5 worker exited'));
        return;
      }
      digests.set(this.#id, (md5) => {
        this.#release();
        if (md5 instanceof Error) reject(md5);
        else resolve(md5);
      });
      this.#worker.postMessage({ op: 'end', id: this.#id } satisfies Md5Message);
    });
  }

  /** Stops without a digest (the body failed); a no-op once the digest was asked for. */
  drop(): void {
    if (this.#done) return;
    this.#giveBack();
    this.#worker.postMessage({ op: 'drop', id: this.#id } satisfies Md5Message);
    this.#release();
  }

  #release(): void {
    if (this.#done) return;
    this.#done = true;
    if (--users === 0) this.#worker.unref();
  }
}
