// A readable holding bytes already in memory: the chunk is pushed up front, so reading it costs
// no async iterator and no per-chunk promise (Readable.from would add both).
import { Readable } from 'node:stream';

export function bufferStream(data: Buffer | undefined): Readable {
  const out = new Readable({ read() {} });
  if (data && data.length > 0) out.push(data);
  out.push(null);
  return out;
}
