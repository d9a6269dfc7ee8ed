import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { StorageBody } from './storage.ts';
import { StorageError } from './storage-error.ts';

export function tooLarge(key: string, maxFileSize: number, seen: number): StorageError {
  return new StorageError(
    'TOO_LARGE',
    `${JSON.stringify(key)} exceeds ${maxFileSize} bytes (got at least ${seen})`,
    {
      key,
    },
  );
}

/**
 * Passes bytes through while counting them (and hashing them, for a local ETag); the moment the
 * count passes the limit it fails with TOO_LARGE, so no more than limit + one chunk is ever read.
 */
export class SizeLimit extends Transform {
  bytes = 0;
  readonly #limit: number;
  readonly #key: string;
  readonly #hash: Hash | undefined;

  constructor(key: string, limit: number, options: { md5?: boolean } = {}) {
    super();
    this.#key = key;
    this.#limit = limit;
    this.#hash = options.md5 ? createHash('md5') : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.#limit) {
      callback(tooLarge(this.#key, this.#limit, this.bytes));
      return;
    }
    this.#hash?.update(chunk);
    callback(null, chunk);
  }

  md5Hex(): string | undefined {
    return this.#hash?.digest('hex');
  }
}

/** A Buffer or Uint8Array has a known size: refuse it before any I/O. */
export function knownSize(body: StorageBody): number | undefined {
  return body instanceof Uint8Array ? body.byteLength : undefined;
}

export function toReadable(body: StorageBody): Readable {
  if (body instanceof Readable) return body;
  if (body instanceof Uint8Array)
    return Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
  throw new TypeError('a storage body is a Buffer, a Uint8Array or a Readable stream');
}
