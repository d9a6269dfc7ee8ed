// signaturesEqual compares strings without Buffers: it must agree with a byte-wise
// timingSafeEqual over the UTF-8 encodings (the comparison it replaced) on every kind of input.
import { timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signaturesEqual } from '../../../stack/s3/ingest/signing-key.ts';

function byBytes(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

const expected = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';

describe('signaturesEqual', () => {
  const cases: [string, string][] = [
    ['equal', expected],
    ['last digit differs', `${expected.slice(0, -1)}0`],
    ['first digit differs', `0${expected.slice(1)}`],
    ['upper case', expected.toUpperCase()],
    ['shorter', expected.slice(0, -1)],
    ['longer', `${expected}0`],
    ['empty', ''],
    // 63 ASCII + one 2-byte character: 64 characters, 65 bytes
    ['non-ASCII, same length in characters', `${expected.slice(0, -1)}é`],
    // 62 ASCII + one 2-byte character: 63 characters, 64 bytes
    ['non-ASCII, same length in bytes', `${expected.slice(0, -2)}é`],
  ];
  for (const [name, provided] of cases) {
    it(name, () => {
      expect(signaturesEqual(expected, provided)).toBe(byBytes(expected, provided));
    });
  }
  it('is true only for the identical signature', () => {
    expect(cases.filter(([, p]) => signaturesEqual(expected, p)).map(([n]) => n)).toEqual(['equal']);
  });
});
