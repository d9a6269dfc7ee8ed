// parsePayloadMode recognizes a SHA-256 hex payload hash without a regex: it must accept exactly
// what /^[0-9a-fA-F]{64}$/ accepts. The signing-key cache's last-key shortcut must answer as the
// cache does for every (secret, date, region, service).
import { describe, expect, it } from 'vitest';
import type { S3Error } from '../../../stack/s3/errors.ts';
import { parsePayloadMode } from '../../../stack/s3/ingest/payload-mode.ts';
import { createSigningKeyCache, deriveSigningKey } from '../../../stack/s3/ingest/signing-key.ts';

const HEX64 = /^[0-9a-fA-F]{64}$/;
const valid = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function mode(text: string): string {
  try {
    return parsePayloadMode(text);
  } catch (err) {
    return (err as S3Error).code;
  }
}

describe('parsePayloadMode: hex payload hashes', () => {
  const samples = [
    valid,
    valid.toUpperCase(),
    'ABCDEFabcdef0123456789'.padEnd(64, '9'),
    valid.slice(1),
    `${valid}0`,
    '',
    // each character just outside the ranges: / : @ G ` g, and others
    ...['/', ':', '@', 'G', '`', 'g', ' ', '-', 'z', 'Z', 'é', '٣'].map((c) => `${valid.slice(0, 63)}${c}`),
    ...['/', ':', '@', 'G', '`', 'g'].map((c) => `${c}${valid.slice(1)}`),
  ];
  for (const text of samples) {
    it(`${JSON.stringify(text.slice(-3))} (${text.length})`, () => {
      expect(mode(text)).toBe(HEX64.test(text) ? 'signed' : 'InvalidArgument');
    });
  }
  it('every single character at one position agrees with the regex', () => {
    for (let c = 0; c < 0x3000; c++) {
      const text = `${valid.slice(0, 10)}${String.fromCharCode(c)}${valid.slice(11)}`;
      expect(mode(text), `char ${c}`).toBe(HEX64.test(text) ? 'signed' : 'InvalidArgument');
    }
  });
});

describe('signing-key cache', () => {
  it('answers every key as derived, whatever was asked just before', () => {
    const cache = createSigningKeyCache(2);
    const asks: [string, string, string, string][] = [
      ['s1', '20261124', 'us-east-1', 's3'],
      ['s1', '20261124', 'us-east-1', 's3'],
      ['s2', '20261124', 'us-east-1', 's3'],
      ['s1', '20261125', 'us-east-1', 's3'],
      ['s1', '20261125', 'eu-west-1', 's3'],
      ['s1', '20261124', 'us-east-1', 's3'],
      ['s1', '20261124', 'us-east-1', 's3'],
    ];
    for (const [secret, date, region, service] of asks) {
      expect(
        cache.get(secret, date, region, service).equals(deriveSigningKey(secret, date, region, service)),
      ).toBe(true);
    }
  });
});
