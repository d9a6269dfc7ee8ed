// A readable holding bytes already in memory: the chunks are pushed up front, so reading them costs
// no async iterator and no per-chunk promise (Readable.from would add both).
import { Readable } from 'node:stream';

export function bufferStream(data: Buffer | Buffer[] | undefined): Readable {
  const out = new Readable({ read() {} });
  for (const chunk of Array.isArray(data) ? data : data ? [data] : []) if (chunk.length > 0) out.push(chunk);
  out.push(null);
  return out;
}
