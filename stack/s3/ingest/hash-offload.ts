// The hashes of large bodies on a worker thread, beside the request's own thread: the MD5 (the
// ETag) always, the payload's SHA-256 when the request signed one, and a declared CRC32, SHA1 or
// SHA256 checksum. The request's thread reads the socket and writes the body out; with MD5
// (~650 MB/s here, the one hash OpenSSL cannot speed up) and the rest it was the bottleneck of
// a large PUT. One copy of the bytes into lent batches serves every hash.
// Measured on a 64 MiB PUT with the AWS SDK, 2 cores with the client beside: MD5 moved,
// ~205 -> ~270 MB/s (memory storage); the SHA-256 moved too, see hash-offload's commit.
import type { Worker } from 'node:worker_threads';
import { BatchFeed, LentPool, OnDemandWorker } from '../../util/lent-batches.ts';
import type { HashMessage, HashReply, OffloadAlgorithm } from './hash-worker.ts';

export type { OffloadAlgorithm } from './hash-worker.ts';

/** 1 MiB batches, 8 lent at once over all bodies: how far the hashing may fall behind. */
const pool = new LentPool(1024 * 1024, 8);
const digests = new Map<number, (d: Buffer[] | Error) => void>();
let nextId = 1;

const hashWorker = new OnDemandWorker<HashReply>(
  new URL('./hash-worker.ts', import.meta.url),
  'hash worker',
  (r) => {
    if (r.op === 'returned') return pool.returned(r.bytes);
    const done = digests.get(r.id);
    digests.delete(r.id);
    done?.(r.digests.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength)));
  },
  (err) => {
    for (const done of digests.values()) done(err);
    digests.clear();
    pool.lost();
  },
);

/** One body's hashes, computed on the worker: `update`s in order, then `digest` or `drop`. */
export class OffloadedHashes {
  readonly #id = nextId++;
  readonly #worker: Worker;
  readonly #feed: BatchFeed;
  readonly #algorithms: OffloadAlgorithm[];
  #done = false;

  constructor(algorithms: OffloadAlgorithm[]) {
    this.#algorithms = algorithms;
    const w = hashWorker.get();
    this.#worker = w;
    hashWorker.hold(w);
    hashWorker.post(w, { op: 'open', id: this.#id, algorithms } satisfies HashMessage);
    this.#feed = new BatchFeed(pool, (bytes, length) =>
      hashWorker.post(w, { op: 'data', id: this.#id, bytes, length } satisfies HashMessage, [bytes]),
    );
  }

  /**
   * Copies `bytes` out, and calls `ready` once they are all taken: at once, unless every
   * buffer is lent (the worker is behind), then when one comes back.
   */
  update(bytes: Uint8Array, ready: () => void): void {
    this.#feed.write(bytes, ready);
  }

  /** The digests of every byte given, by algorithm; rejects only if the worker died. */
  digest(): Promise<Map<OffloadAlgorithm, Buffer>> {
    this.#feed.flush();
    this.#feed.stop();
    return new Promise((resolve, reject) => {
      if (!hashWorker.alive(this.#worker)) {
        this.#release();
        reject(new Error('hash worker exited'));
        return;
      }
      digests.set(this.#id, (d) => {
        this.#release();
        if (d instanceof Error) reject(d);
        else resolve(new Map(this.#algorithms.map((a, i) => [a, d[i]!])));
      });
      this.#worker.postMessage({ op: 'end', id: this.#id } satisfies HashMessage);
    });
  }

  /** Stops without a digest (the body failed); a no-op once the digest was asked for. */
  drop(): void {
    if (this.#done) return;
    this.#feed.stop();
    hashWorker.post(this.#worker, { op: 'drop', id: this.#id } satisfies HashMessage);
    this.#release();
  }

  #release(): void {
    if (this.#done) return;
    this.#done = true;
    hashWorker.release(this.#worker);
  }
}
