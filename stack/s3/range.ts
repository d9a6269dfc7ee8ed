// The Range header as S3 reads it: one byte range; several ranges, or a malformed header,
// are ignored and the whole object is served; an unsatisfiable range is 416 InvalidRange.
import { S3Error } from './errors.ts';

export interface ByteRange {
  start: number;
  end: number;
}

export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return undefined;
  const [, a, b] = m as unknown as [string, string, string];
  const unsatisfiable = () =>
    new S3Error(
      'InvalidRange',
      undefined,
      { RangeRequested: header, ActualObjectSize: String(size) },
      {
        'Content-Range': `bytes */${size}`,
      },
    );
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  // Checked before the end: `bytes=N-` past the end is unsatisfiable, not an ignorable range.
  if (b === '') {
    if (start >= size) throw unsatisfiable();
    return { start, end: size - 1 };
  }
  const end = Number(b);
  // A last-byte-pos before the first is syntactically invalid: S3 ignores the header.
  if (end < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end: Math.min(end, size - 1) };
}
