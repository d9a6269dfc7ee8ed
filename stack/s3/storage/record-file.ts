// The bytes of a record file on disk (an object key's versions, an upload): the record as JSON,
// then, when it holds small blobs inline, a newline and their raw bytes back to back. Each
// inline blob appears in the JSON as `inlineAt` (its offset in that tail). JSON.stringify never
// writes a raw newline, so the first one ends the JSON. Raw bytes instead of base64 inside the
// JSON: a 64 KiB object was 87 KB of string to encode, escape-scan and transcode on every write
// and to decode on every read.
import type { BlobRef } from './types.ts';

const NEWLINE = 0x0a;
const NEWLINE_BUF = Buffer.from('\n');

/** The pieces of the file (written with one writev), for any JSON-able value holding BlobRefs. */
export function encodeRecordFile(value: unknown): Buffer[] {
  const tail: Buffer[] = [];
  let at = 0;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    const blob = v as BlobRef | null;
    if (blob && typeof blob === 'object' && blob.inline instanceof Buffer) {
      const { inline, ...rest } = blob;
      tail.push(inline);
      const out = { ...rest, inlineAt: at };
      at += inline.length;
      return out;
    }
    return v;
  });
  const head = Buffer.from(json, 'utf8');
  return tail.length ? [head, NEWLINE_BUF, ...tail] : [head];
}

/**
 * The value back, inline blobs as slices of `file` (no copy). Records written before this
 * format (inline blobs as base64 strings in the JSON) load the same way.
 */
export function decodeRecordFile<T>(file: Buffer): T {
  const nl = file.indexOf(NEWLINE);
  const json = (nl < 0 ? file : file.subarray(0, nl)).toString('utf8');
  const tail = nl < 0 ? undefined : file.subarray(nl + 1);
  return JSON.parse(json, (_key, v: unknown) => {
    const blob = v as (Omit<BlobRef, 'inline'> & { inline?: unknown; inlineAt?: number }) | null;
    if (!blob || typeof blob !== 'object' || typeof blob.id !== 'string' || typeof blob.size !== 'number')
      return v;
    if (typeof blob.inlineAt === 'number') {
      if (!tail || blob.inlineAt + blob.size > tail.length) {
        throw new Error(`record file: inline blob ${blob.id} lies past the end of the file`);
      }
      const { inlineAt, ...rest } = blob;
      return { ...rest, inline: tail.subarray(inlineAt, inlineAt + blob.size) };
    }
    if (typeof blob.inline === 'string') return { ...blob, inline: Buffer.from(blob.inline, 'base64') };
    return v;
  }) as T;
}
