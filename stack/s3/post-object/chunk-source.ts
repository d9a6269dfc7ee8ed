// Pulls chunks from a Readable on demand. Unlike `for await`, giving up early does not destroy
// the stream (an IncomingMessage's destruction would take the socket, and the error response,
// with it); `release()` hands the stream back untouched so the server can drain or close it.
import type { Readable } from 'node:stream';
import { S3Error } from '../errors.ts';

export class ChunkSource {
  #stream: Readable;
  #ended = false;
  #closed = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  #onReadable = () => this.#notify();
  #onEnd = () => {
    this.#ended = true;
    this.#notify();
  };
  #onClose = () => {
    this.#closed = true;
    this.#notify();
  };
  #onError = (err: Error) => {
    this.#error = err;
    this.#notify();
  };

  constructor(stream: Readable) {
    this.#stream = stream;
    stream.on('readable', this.#onReadable);
    stream.on('end', this.#onEnd);
    stream.on('close', this.#onClose);
    stream.on('error', this.#onError);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** The next chunk, or null at the end of the body. A vanished client is IncompleteBody. */
  async next(): Promise<Buffer | null> {
    for (;;) {
      if (this.#error) throw this.#error;
      const chunk = this.#stream.read() as Buffer | string | null;
      if (chunk !== null) return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (this.#ended || this.#stream.readableEnded) return null;
      if (this.#closed || this.#stream.destroyed) throw new S3Error('IncompleteBody');
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Stops listening; the stream is left as it is (paused, not destroyed). */
  release(): void {
    this.#stream.off('readable', this.#onReadable);
    this.#stream.off('end', this.#onEnd);
    this.#stream.off('close', this.#onClose);
    this.#stream.off('error', this.#onError);
    this.#notify();
  }
}
