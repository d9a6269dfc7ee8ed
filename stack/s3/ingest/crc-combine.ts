// CRC of a concatenation from the CRCs of its pieces (zlib's crc32_combine, generalized to the
// three CRC widths S3 uses). FULL_OBJECT multipart checksums are built this way: S3 reports the
// CRC of the whole object without re-reading the parts. BigInt is fine here: it runs once per
// part, not per byte.
import type { ChecksumAlgorithm } from './types.ts';

interface CrcSpec {
  width: bigint;
  poly: bigint; // reflected
}

const SPECS: Partial<Record<ChecksumAlgorithm, CrcSpec>> = {
  CRC32: { width: 32n, poly: 0xedb88320n },
  CRC32C: { width: 32n, poly: 0x82f63b78n },
  CRC64NVME: { width: 64n, poly: 0x9a6c9329ac4bc9b5n },
};

/** Whether a FULL_OBJECT checksum can be composed for this algorithm (CRCs only). */
export function isCombinable(algorithm: ChecksumAlgorithm): boolean {
  return SPECS[algorithm] !== undefined;
}

function multModP(spec: CrcSpec, a: bigint, b: bigint): bigint {
  const top = 1n << (spec.width - 1n);
  let m = top;
  let p = 0n;
  let bb = b;
  for (;;) {
    if (a & m) {
      p ^= bb;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    bb = bb & 1n ? (bb >> 1n) ^ spec.poly : bb >> 1n;
  }
  return p;
}

/** x^(8 * bytes) modulo the polynomial, by repeated squaring. */
function xPow8n(spec: CrcSpec, bytes: bigint): bigint {
  const one = 1n << (spec.width - 1n); // x^0 in reflected form
  let p = one;
  let square = one >> 1n; // x^1
  let n = bytes * 8n;
  while (n > 0n) {
    if (n & 1n) p = multModP(spec, square, p);
    square = multModP(spec, square, square);
    n >>= 1n;
  }
  return p;
}

function toBig(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/**
 * The checksum of `A || B` from checksum(A), checksum(B) (big-endian digest bytes, as
 * createChecksum returns) and the byte length of B.
 */
export function combineCrc(
  algorithm: ChecksumAlgorithm,
  crcA: Uint8Array,
  crcB: Uint8Array,
  lengthB: number | bigint,
): Buffer {
  const spec = SPECS[algorithm];
  if (!spec) throw new TypeError(`${algorithm} checksums cannot be combined`);
  const a = toBig(crcA);
  const b = toBig(crcB);
  const combined = multModP(spec, xPow8n(spec, BigInt(lengthB)), a) ^ b;
  const size = Number(spec.width / 8n);
  const out = Buffer.alloc(size);
  let v = combined;
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
