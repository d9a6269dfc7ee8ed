// The five S3 checksum algorithms behind one incremental interface. Values travel as base64
// of the big-endian digest bytes, exactly as S3 prints them in x-amz-checksum-* headers.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc64Nvme, crc32c } from './crc.ts';
import { Crc32Checksum } from './crc32-checksum.ts';
import type { ChecksumAlgorithm } from './types.ts';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = [
  'CRC32',
  'CRC32C',
  'SHA1',
  'SHA256',
  'CRC64NVME',
];

/** Digest length in bytes, used to validate a declared value before any body is read. */
export const CHECKSUM_LENGTH: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  SHA1: 20,
  SHA256: 32,
  CRC64NVME: 8,
};

export interface Checksum {
  update(data: Uint8Array): void;
  /** Finalizes; call once. */
  digest(): Buffer;
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'CRC32':
      return new Crc32Checksum(crc32);
    case 'CRC32C':
      return new Crc32Checksum(crc32c);
    case 'CRC64NVME':
      return new Crc64Nvme();
    case 'SHA1':
      return createHash('sha1');
    case 'SHA256':
      return createHash('sha256');
  }
}

/** Base64 checksum of a whole buffer. */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const c = createChecksum(algorithm);
  c.update(data);
  return c.digest().toString('base64');
}

/** `CRC32` from `crc32`, `Crc32`, `CRC32`; undefined when S3 knows no such algorithm. */
export function parseChecksumAlgorithm(name: string | undefined): ChecksumAlgorithm | undefined {
  if (!name) return undefined;
  const upper = name.trim().toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper)
    ? (upper as ChecksumAlgorithm)
    : undefined;
}

/** `x-amz-checksum-crc32` for CRC32. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The algorithm a header name such as `x-amz-checksum-crc64nvme` carries. */
export function algorithmOfHeader(header: string): ChecksumAlgorithm | undefined {
  const lower = header.trim().toLowerCase();
  if (!lower.startsWith('x-amz-checksum-')) return undefined;
  return parseChecksumAlgorithm(lower.slice('x-amz-checksum-'.length));
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether `value` is canonical base64 of exactly the algorithm's digest length. */
export function isValidChecksumValue(algorithm: ChecksumAlgorithm, value: string): boolean {
  if (value.length % 4 !== 0 || !BASE64.test(value)) return false;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === CHECKSUM_LENGTH[algorithm] && bytes.toString('base64') === value;
}
