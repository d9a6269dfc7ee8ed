// Bytes already in memory: as a readable, and as a buffer of their own.
import { Readable } from 'node:stream';

/**
 * A readable holding `data`: the chunks are pushed up front, so reading them costs no async
 * iterator and no per-chunk promise (Readable.from would add both).
 */
export function bufferStream(data: Buffer | Buffer[] | undefined): Readable {
  const out = new Readable({ read() {} });
  for (const chunk of Array.isArray(data) ? data : data ? [data] : []) if (chunk.length > 0) out.push(chunk);
  out.push(null);
  return out;
}

/**
 * `chunks` (`size` bytes in all) copied into one buffer of its own, outside Node's shared
 * pool: a stored blob must pin neither a socket's read buffers nor a pooled slab.
 */
export function copyChunks(chunks: Buffer[], size: number): Buffer {
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const c of chunks) at += c.copy(out, at);
  return out;
}
