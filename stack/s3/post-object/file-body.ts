// The file part as a Readable for the store, pulled from the multipart reader only as fast as
// the store reads. Size limits are enforced as bytes arrive: crossing the maximum, or ending
// under the minimum, errors the stream instead of ending it, so the store never commits.
import { Readable } from 'node:stream';
import type { S3Error } from '../errors.ts';
import type { MultipartReader } from './multipart.ts';
import { tooLarge, tooSmall } from './post-errors.ts';

export interface SizeLimits {
  min: number;
  max: number;
}

export class FileBody {
  readonly stream: Readable;
  #reader: MultipartReader;
  #limits: SizeLimits;
  #size = 0;
  #done = false;
  #want = false;
  #pumping = false;
  #limitError: S3Error | undefined;

  constructor(reader: MultipartReader, limits: SizeLimits) {
    this.#reader = reader;
    this.#limits = limits;
    this.stream = new Readable({
      read: () => {
        this.#want = true;
        if (!this.#pumping) void this.#pump();
      },
    });
  }

  /** Bytes of the file seen so far. */
  get size(): number {
    return this.#size;
  }

  /** The size limit the file crossed, if it did. */
  get limitError(): S3Error | undefined {
    return this.#limitError;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#want && !this.#done && !this.stream.destroyed) {
        const piece = await this.#reader.readContent();
        if (piece === null) {
          this.#done = true;
          if (this.#size < this.#limits.min) this.#fail(tooSmall(this.#size, this.#limits.min));
          else this.stream.push(null);
          return;
        }
        this.#size += piece.length;
        if (this.#size > this.#limits.max) {
          this.#fail(tooLarge(this.#size, this.#limits.max));
          return;
        }
        this.#want = this.stream.push(piece);
      }
    } catch (err) {
      this.#done = true;
      this.stream.destroy(err as Error);
    } finally {
      this.#pumping = false;
    }
  }

  #fail(err: S3Error): void {
    this.#limitError = err;
    this.stream.destroy(err);
  }

  /**
   * Reads what is left of the file part without keeping it, so an oversize upload reports its
   * whole size (S3's ProposedSize) and the rest of the form can be skipped.
   */
  async finish(): Promise<number> {
    while (this.#pumping) await new Promise((r) => setImmediate(r));
    if (!this.#done) {
      for (;;) {
        const piece = await this.#reader.readContent();
        if (piece === null) break;
        this.#size += piece.length;
      }
      this.#done = true;
    }
    return this.#size;
  }
}
