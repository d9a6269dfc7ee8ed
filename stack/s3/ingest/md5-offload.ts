// MD5 of large bodies on a worker thread, beside the request's own thread. MD5 is the one hash
// OpenSSL cannot speed up (~650 MB/s here): two thirds of a large PUT's hashing, which ran on
// the thread that also reads the socket and computes SHA-256 and the CRC. Measured on a 64 MiB
// PUT with the AWS SDK: ~205 -> ~270 MB/s (memory storage), on 2 cores with the client beside.
import type { Worker } from 'node:worker_threads';
import { BatchFeed, LentPool, OnDemandWorker } from '../../util/lent-batches.ts';
import type { Md5Message, Md5Reply } from './md5-worker.ts';

/** 1 MiB batches, 8 lent at once over all bodies: how far the hashing may fall behind. */
const pool = new LentPool(1024 * 1024, 8);
const digests = new Map<number, (md5: Buffer | Error) => void>();
let nextId = 1;

const md5Worker = new OnDemandWorker<Md5Reply>(
  new URL('./md5-worker.ts', import.meta.url),
  'MD5 worker',
  (r) => {
    if (r.op === 'returned') return pool.returned(r.bytes);
    const done = digests.get(r.id);
    digests.delete(r.id);
    done?.(Buffer.from(r.md5.buffer, r.md5.byteOffset, r.md5.byteLength));
  },
  (err) => {
    for (const done of digests.values()) done(err);
    digests.clear();
    pool.lost();
  },
);

/** One body's MD5, computed on the worker: `update`s in order, then `digest` or `drop`. */
export class OffloadedMd5 {
  readonly #id = nextId++;
  readonly #worker: Worker;
  readonly #feed: BatchFeed;
  #done = false;

  constructor() {
    const w = md5Worker.get();
    this.#worker = w;
    md5Worker.hold(w);
    this.#feed = new BatchFeed(pool, (bytes, length) =>
      md5Worker.post(w, { op: 'data', id: this.#id, bytes, length } satisfies Md5Message, [bytes]),
    );
  }

  /**
   * Copies `bytes` out, and calls `ready` once they are all taken: at once, unless every
   * buffer is lent (the worker is behind), then when one comes back.
   */
  update(bytes: Uint8Array, ready: () => void): void {
    this.#feed.write(bytes, ready);
  }

  /** The MD5 of every byte given; rejects only if the worker died. */
  digest(): Promise<Buffer> {
    this.#feed.flush();
    this.#feed.stop();
    return new Promise((resolve, reject) => {
      if (!md5Worker.alive(this.#worker)) {
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
    this.#feed.stop();
    md5Worker.post(this.#worker, { op: 'drop', id: this.#id } satisfies Md5Message);
    this.#release();
  }

  #release(): void {
    if (this.#done) return;
    this.#done = true;
    md5Worker.release(this.#worker);
  }
}
