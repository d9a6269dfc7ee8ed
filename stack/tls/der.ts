// The few DER (ASN.1) encodings and the one walk that x509.ts needs to write certificates:
// definite lengths only, no parsing beyond reading a structure's top-level elements.

/** A tag-length-value with `content` as its value. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let head: number[];
  if (n < 0x80) head = [tag, n];
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    head = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(head), content]);
}

export const sequence = (...items: Uint8Array[]) => tlv(0x30, Buffer.concat(items));
export const set = (...items: Uint8Array[]) => tlv(0x31, Buffer.concat(items));
export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);
export const utf8String = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
export const boolean = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
export const nullValue = () => Buffer.from([0x05, 0x00]);
/** `[n] EXPLICIT`: the inner encoding wrapped in a constructed context tag. */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);
/** `[n] IMPLICIT` of a primitive: `bytes` under a context tag. */
export const implicit = (n: number, bytes: Uint8Array) => tlv(0x80 | n, bytes);

/** A non-negative INTEGER from its big-endian magnitude (a leading zero added when needed). */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  return tlv(0x02, trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export const smallInteger = (v: number) => unsignedInteger(Buffer.from([v]));

/** A BIT STRING of `bytes`, the last `unusedBits` bits of which are padding (named-bit lists). */
export function bitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

export function objectIdentifier(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5), to the second. */
export function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-11-25T10:20:30.123Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, ''); // 20261125102030
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

/** One element found by `elements`: its whole encoding and its value. */
export interface Element {
  tag: number;
  whole: Buffer;
  content: Buffer;
}

/** The elements inside a constructed encoding's value, in order. Throws on malformed input. */
export function elements(content: Buffer): Element[] {
  const out: Element[] = [];
  let at = 0;
  while (at < content.length) {
    const tag = content[at]!;
    let len = content[at + 1];
    if (len === undefined) throw new Error('DER: truncated length');
    let head = 2;
    if (len & 0x80) {
      const count = len & 0x7f;
      if (count === 0 || count > 4) throw new Error('DER: unsupported length form');
      len = 0;
      for (let i = 0; i < count; i++) {
        const b = content[at + 2 + i];
        if (b === undefined) throw new Error('DER: truncated length');
        len = len * 256 + b;
      }
      head += count;
    }
    const end = at + head + len;
    if (end > content.length) throw new Error('DER: element runs past its parent');
    out.push({ tag, whole: content.subarray(at, end), content: content.subarray(at + head, end) });
    at = end;
  }
  return out;
}

/** The single top-level element of `der` (a certificate, a key). */
export function root(der: Buffer): Element {
  const [only, ...rest] = elements(der);
  if (!only || rest.length > 0) throw new Error('DER: expected exactly one top-level element');
  return only;
}
