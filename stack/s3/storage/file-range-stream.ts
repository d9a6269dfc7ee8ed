// A byte range of a blob file, as a readable, and sent straight to an HTTP response from two
// reused buffers. A 64 MiB GET through fs.createReadStream allocated 256 fresh 256 KiB buffers:
// their page faults and the garbage collections they forced (~50 ms per GET) cost more than
// reading the file.
import { close, openSync, read } from 'node:fs';
import { finished, Readable, type Writable } from 'node:stream';

const BATCH = 1024 * 1024;
/** Buffers kept for reuse between sends. */
const POOL_MAX = 8;
const pool: Buffer[] = [];

function readAt(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

function shortFile(path: string): Error {
  return Object.assign(new Error(`blob file ${path} ended before the range`), { code: 'ERR_BLOB_SHORT' });
}

export class FileRangeStream extends Readable {
  readonly #path: string;
  #pos: number;
  readonly #end: number;
  #fd = -1;
  #started = false;
  /** sendTo has read every byte. */
  #done = false;
  /** The read under way: the descriptor is closed only after it (its number could be reused). */
  #reading: Promise<unknown> = Promise.resolve();

  /** Bytes `start` to `end` (inclusive) of the file at `path`. */
  constructor(path: string, start: number, end: number) {
    super({ highWaterMark: 256 * 1024 });
    this.#path = path;
    this.#pos = start;
    this.#end = end;
  }

  #read(buf: Buffer, length: number): Promise<number> {
    // Once destroyed the file is (being) closed and the blob may be deleted: no more reads.
    if (this.destroyed) return Promise.reject(new Error('blob stream destroyed'));
    // Opened on first use, synchronously: a blob file is local, and the open is ~10 µs.
    if (this.#fd < 0) this.#fd = openSync(this.#path, 'r');
    const r = readAt(this.#fd, buf, length, this.#pos);
    this.#reading = r.catch(() => {});
    return r;
  }

  override _read(size: number): void {
    this.#started = true;
    if (this.#pos > this.#end) {
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafe(Math.min(Math.max(size, 64 * 1024), this.#end - this.#pos + 1));
    let r: Promise<number>;
    try {
      r = this.#read(buf, buf.length);
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    r.then(
      (n) => {
        if (n === 0) return this.destroy(shortFile(this.#path));
        this.#pos += n;
        this.push(n === buf.length ? buf : buf.subarray(0, n));
      },
      (err: Error) => this.destroy(err),
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    void this.#reading.then(() => {
      const fd = this.#fd;
      this.#fd = -1;
      // 'close' (which releases the blob for deletion) once the descriptor really is closed.
      if (fd >= 0) close(fd, () => cb(err));
      else cb(err);
    });
  }

  /**
   * Writes the range to `res` and ends it, reading the next buffer while the last one goes
   * out; a buffer is read into again only once its write has called back (the socket is done
   * with it). Resolves when `res` has finished; rejects, destroying `res`, if reading fails or
   * the client goes away first. The stream is destroyed either way (its 'close' marks the read
   * done). Only for a stream nobody has read from.
   */
  sendTo(res: Writable): Promise<void> {
    if (this.#started) throw new Error('sendTo on a stream already being read');
    this.#started = true;
    const total = this.#end - this.#pos + 1;
    // A range that fits one buffer gets one of its own size; longer ones take two from the pool.
    const slots =
      total <= BATCH
        ? [{ buf: Buffer.allocUnsafeSlow(total), free: Promise.resolve(true), pooled: false }]
        : [0, 1].map(() => ({
            buf: pool.pop() ?? Buffer.allocUnsafeSlow(BATCH),
            /** Resolves true once the last write from `buf` called back without error. */
            free: Promise.resolve(true),
            pooled: true,
          }));
    let failed: Error | undefined;
    let drained: (() => void) | undefined;
    const onDrain = () => drained?.();
    res.on('drain', onDrain);
    return new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        if (failed) return;
        failed = err;
        drained?.();
        res.off('drain', onDrain);
        if (!res.destroyed) res.destroy(err);
        this.destroy();
        reject(err);
      };
      // Destroyed by someone else mid-send: the send has failed.
      this.once('close', () => {
        if (!this.#done) fail(new Error('blob stream closed during its send'));
      });
      finished(res, (err) => {
        if (err) return fail(err);
        res.off('drain', onDrain);
        this.destroy();
        // Back to the pool once no write holds them.
        void Promise.all(slots.map((s) => s.free)).then((oks) => {
          for (const [i, ok] of oks.entries()) {
            if (ok && slots[i]!.pooled && pool.length < POOL_MAX) pool.push(slots[i]!.buf);
          }
        });
        resolve();
      });
      const readInto = async (slot: (typeof slots)[number]): Promise<number> => {
        // A buffer whose write failed may still be held: replaced, not read into.
        if (!(await slot.free)) {
          slot.buf = Buffer.allocUnsafeSlow(slot.buf.length);
          slot.pooled = false;
        }
        if (failed) return 0;
        return this.#read(slot.buf, Math.min(slot.buf.length, this.#end - this.#pos + 1));
      };
      const pump = async () => {
        let i = 0;
        let next: Promise<number> | undefined = readInto(slots[0]!);
        while (next) {
          const slot = slots[i]!;
          const n = await next;
          if (failed) return;
          if (n === 0) throw shortFile(this.#path);
          this.#pos += n;
          const last = this.#pos > this.#end;
          // This buffer is busy until its write calls back: marked before the next read picks
          // a buffer (with a single buffer, the next read is into this one).
          let release!: (ok: boolean) => void;
          slot.free = new Promise((r) => {
            release = r;
          });
          i = (i + 1) % slots.length;
          // The next read is under way while this buffer goes out (seen to by a handler of its
          // own, so a failure before it is awaited is never unhandled).
          next = last ? undefined : readInto(slots[i]!);
          next?.catch(() => {});
          const chunk = n === slot.buf.length ? slot.buf : slot.buf.subarray(0, n);
          const ok = res.write(chunk, (err) => release(!err));
          if (last) {
            res.end();
            // Every byte is read: the file is closed now, not when a slow client has taken the
            // last of them (until then it pinned the descriptor and kept a deleted blob).
            this.#done = true;
            this.destroy();
          } else if (!ok) {
            await new Promise<void>((r) => {
              drained = r;
            });
            drained = undefined;
          }
        }
      };
      pump().catch((err: Error) => fail(err));
    });
  }
}
