// Large blob files (disk storage) written on a worker thread: the main thread copies a body's
// chunks into pooled 1 MiB buffers and lends them to the worker, which writes them with plain
// synchronous calls and fdatasyncs as it goes. Through fs streams each 64 KiB chunk cost a
// thread-pool round trip, a promise and a garbage buffer on the request's own thread, which
// a large PUT shares with its hashing.
import type { Worker } from 'node:worker_threads';
import { BatchFeed, LentPool, OnDemandWorker } from '../../util/lent-batches.ts';
import type { BlobMessage, BlobReply } from './blob-writer-worker.ts';

/** 1 MiB batches, 8 lent at once over all writes: how far bodies may run ahead of the disk. */
const pool = new LentPool(1024 * 1024, 8);
const finishing = new Map<number, (err?: Error) => void>();
let nextId = 1;

const blobWorker = new OnDemandWorker<BlobReply>(
  new URL('./blob-writer-worker.ts', import.meta.url),
  'blob writer',
  (r) => {
    if (r.op === 'returned') return pool.returned(r.bytes);
    const done = finishing.get(r.id);
    finishing.delete(r.id);
    done?.(
      r.error
        ? Object.assign(new Error(r.error.message), r.error.code ? { code: r.error.code } : {})
        : undefined,
    );
  },
  (err) => {
    for (const done of finishing.values()) done(err);
    finishing.clear();
    pool.lost();
  },
);

/** One blob file being written. `write` and `end` in order; `abort` at any time. */
export class BlobFile {
  readonly #id = nextId++;
  readonly #path: string;
  readonly #worker: Worker;
  readonly #feed: BatchFeed;
  #closed = false;

  constructor(path: string) {
    this.#path = path;
    const w = blobWorker.get();
    this.#worker = w;
    blobWorker.hold(w);
    this.#feed = new BatchFeed(pool, (bytes, length) =>
      blobWorker.post(w, { op: 'data', id: this.#id, path, bytes, length } satisfies BlobMessage, [bytes]),
    );
  }

  /** Takes a copy of `chunk`; resolves once the caller may write again. */
  write(chunk: Uint8Array): Promise<void> {
    return new Promise((resolve) => this.#feed.write(chunk, resolve));
  }

  /** Resolves once every byte is written and fdatasynced, and the file closed. */
  end(): Promise<void> {
    this.#feed.flush();
    return this.#finish('end');
  }

  /**
   * Stops; resolves once the worker has closed the file (it may be the one to create it, so
   * the caller removes it only after this).
   */
  abort(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#finish('abort').catch(() => {});
  }

  #finish(op: 'end' | 'abort'): Promise<void> {
    this.#feed.stop();
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        if (!this.#closed) {
          this.#closed = true;
          blobWorker.release(this.#worker);
        }
        if (err) reject(err);
        else resolve();
      };
      if (!blobWorker.alive(this.#worker)) return done(new Error('blob writer exited'));
      finishing.set(this.#id, done);
      this.#worker.postMessage({ op, id: this.#id, path: this.#path } satisfies BlobMessage);
    });
  }
}
