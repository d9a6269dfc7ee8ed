// Our checksum primitives against published check values and against the AWS SDK's own
// implementations (the ones @aws-sdk/client-s3 uses to compute what it sends).
import { randomBytes } from 'node:crypto';
import { Crc32cJs, Crc64NvmeJs } from '@aws-sdk/checksums/crc';
import { Crc32, Sha256 } from '@smithy/core/checksum';
import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_ALGORITHMS,
  checksumOf,
  combineCrc,
  createChecksum,
  isValidChecksumValue,
  parseChecksumAlgorithm,
} from '../../../stack/s3/ingest/index.ts';
import type { ChecksumAlgorithm } from '../../../stack/s3/ingest/types.ts';

const CHECK = Buffer.from('123456789');

async function sdkChecksum(alg: ChecksumAlgorithm, data: Uint8Array): Promise<string> {
  const impl =
    alg === 'CRC32'
      ? new Crc32()
      : alg === 'CRC32C'
        ? new Crc32cJs()
        : alg === 'CRC64NVME'
          ? new Crc64NvmeJs()
          : alg === 'SHA256'
            ? new Sha256()
            : undefined;
  if (!impl) throw new Error(alg);
  impl.update(data);
  return Buffer.from(await impl.digest()).toString('base64');
}

describe('checksum check values', () => {
  it.each([
    ['CRC32', 'cbf43926'],
    ['CRC32C', 'e3069283'],
    ['CRC64NVME', 'ae8b14860a799888'],
    ['SHA1', 'f7c3bc1d808e04732adf679965ccc34ca7ae3441'],
    ['SHA256', '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225'],
  ] as const)('%s("123456789") = %s', (alg, hex) => {
    const c = createChecksum(alg);
    c.update(CHECK);
    expect(c.digest().toString('hex')).toBe(hex);
  });

  it('empty input: CRC32 of nothing is AAAAAA== (what the SDK bakes into presigned URLs)', () => {
    expect(checksumOf('CRC32', Buffer.alloc(0))).toBe('AAAAAA==');
    expect(checksumOf('CRC64NVME', Buffer.alloc(0))).toBe('AAAAAAAAAAA=');
  });
});

describe('agreement with the AWS SDK implementations on random data', () => {
  const sizes = [0, 1, 7, 8, 9, 63, 64, 65, 1000, 65536 + 13];
  for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA256'] as const) {
    it(`${alg}, whole and in uneven pieces`, async () => {
      for (const size of sizes) {
        const data = randomBytes(size);
        const expected = await sdkChecksum(alg, data);
        expect(checksumOf(alg, data)).toBe(expected);
        const c = createChecksum(alg);
        for (let i = 0, step = 1; i < size; i += step, step = (step * 5 + 1) % 97)
          c.update(data.subarray(i, i + step));
        expect(c.digest().toString('base64')).toBe(expected);
      }
    });
  }
});

describe('word-at-a-time CRCs at every alignment', () => {
  it('CRC32C and CRC64NVME agree with the SDK whatever the byte offset and length', async () => {
    const backing = randomBytes(4096);
    for (const offset of [0, 1, 2, 3, 5]) {
      for (const length of [0, 3, 15, 16, 17, 33, 64, 1000, 4000]) {
        const view = backing.subarray(offset, offset + length);
        for (const alg of ['CRC32C', 'CRC64NVME'] as const) {
          expect(checksumOf(alg, view)).toBe(await sdkChecksum(alg, Uint8Array.from(view)));
        }
      }
    }
  });
});

describe('combineCrc (FULL_OBJECT composition)', () => {
  for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME'] as const) {
    it(`${alg}: crc(A||B) from crc(A), crc(B), len(B)`, () => {
      for (const [a, b] of [
        [0, 0],
        [5, 0],
        [0, 5],
        [1000, 1],
        [70000, 12345],
      ]) {
        const da = randomBytes(a);
        const db = randomBytes(b);
        const ca = createChecksum(alg);
        ca.update(da);
        const cb = createChecksum(alg);
        cb.update(db);
        const whole = checksumOf(alg, Buffer.concat([da, db]));
        expect(combineCrc(alg, ca.digest(), cb.digest(), b).toString('base64')).toBe(whole);
      }
    });
  }
  it('refuses SHA algorithms', () => {
    expect(() => combineCrc('SHA256', Buffer.alloc(32), Buffer.alloc(32), 1)).toThrow(TypeError);
  });
});

describe('algorithm names and values', () => {
  it('parses names case-insensitively and rejects unknown ones', () => {
    expect(parseChecksumAlgorithm('crc64nvme')).toBe('CRC64NVME');
    expect(parseChecksumAlgorithm('Sha1')).toBe('SHA1');
    expect(parseChecksumAlgorithm('MD5')).toBeUndefined();
    expect(CHECKSUM_ALGORITHMS).toHaveLength(5);
  });
  it('accepts only canonical base64 of the right length', () => {
    expect(isValidChecksumValue('CRC32', 'AAAAAA==')).toBe(true);
    expect(isValidChecksumValue('CRC32', 'AAAAAAA=')).toBe(false);
    expect(isValidChecksumValue('CRC32', 'AAAA')).toBe(false);
    expect(isValidChecksumValue('CRC32', '!!!!!!==')).toBe(false);
    expect(isValidChecksumValue('SHA256', checksumOf('SHA256', CHECK))).toBe(true);
    expect(isValidChecksumValue('CRC64NVME', checksumOf('CRC32', CHECK))).toBe(false);
  });
});
