// Hand-built multipart/form-data bodies, for requests no FormData would produce.
import { Readable } from 'node:stream';

export const BOUNDARY = '9431149156168';

export interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
}

export function multipartBody(parts: Part[], boundary = BOUNDARY): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    const filename = p.filename === undefined ? '' : `; filename="${p.filename}"`;
    out.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${filename}\r\n\r\n`),
    );
    out.push(typeof p.value === 'string' ? Buffer.from(p.value) : p.value);
    out.push(Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

/** A body delivered in chunks of `size` bytes, to cut delimiters and headers anywhere. */
export function chunked(body: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
  return Readable.from(chunks, { objectMode: false });
}
