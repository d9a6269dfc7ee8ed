import { Readable } from 'node:stream';

/** Reads a stream to one Buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Deterministic bytes: the same (length, seed) always gives the same content. */
export function patternBytes(length: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed * 2_654_435_761;
  for (let i = 0; i < length; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/**
 * A stream of `total` bytes in `chunkSize` pieces that records how much of it the consumer pulled,
 * to prove an upload stopped early rather than reading everything and refusing afterwards.
 */
export function meteredStream(total: number, chunkSize: number): { stream: Readable; pulled: () => number } {
  let pulled = 0;
  const chunk = patternBytes(chunkSize, 7);
  function* generate() {
    while (pulled < total) {
      const size = Math.min(chunkSize, total - pulled);
      pulled += size;
      yield size === chunkSize ? chunk : chunk.subarray(0, size);
    }
  }
  return { stream: Readable.from(generate(), { objectMode: false }), pulled: () => pulled };
}
