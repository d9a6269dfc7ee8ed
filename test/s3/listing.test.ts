// The listing walk and key order, without a socket.
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../stack/s3/key-order.ts';
import { urlEncodeKey, walkKeys } from '../../stack/s3/listing.ts';

const sorted = (keys: string[]) => [...keys].sort(compareKeys);

describe('key order', () => {
  it('is UTF-8 byte order, not UTF-16 order', () => {
    const keys = ['\uFF61', '\u{1F600}', 'a', 'B', '\uE000', 'é'];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(sorted(keys)).toEqual(byBytes);
    // JavaScript's default order puts the emoji (a surrogate pair) before U+FF61.
    expect([...keys].sort()).not.toEqual(byBytes);
  });
});

describe('walkKeys', () => {
  const keys = sorted(['a', 'b/1', 'b/2', 'b/3', 'c', 'd/e/f', 'd/g', 'z']);

  it('rolls up common prefixes, counting them against maxKeys', () => {
    expect(walkKeys(keys, { prefix: '', delimiter: '/', after: '', maxKeys: 3 })).toEqual({
      keys: ['a', 'c'],
      commonPrefixes: ['b/'],
      isTruncated: true,
      last: 'c',
    });
  });

  it('resumes after a rolled-up prefix without repeating it', () => {
    const r = walkKeys(keys, { prefix: '', delimiter: '/', after: 'b/', maxKeys: 10 });
    expect(r.commonPrefixes).toEqual(['d/']);
    expect(r.keys).toEqual(['c', 'z']);
    expect(r.isTruncated).toBe(false);
  });

  it('honours prefix, a marker before the prefix, and maxKeys 0', () => {
    expect(walkKeys(keys, { prefix: 'd/', delimiter: '/', after: 'a', maxKeys: 10 })).toMatchObject({
      keys: ['d/g'],
      commonPrefixes: ['d/e/'],
    });
    expect(walkKeys(keys, { prefix: '', delimiter: '', after: '', maxKeys: 0 })).toMatchObject({
      keys: [],
      isTruncated: false,
    });
    expect(walkKeys(keys, { prefix: 'b/', delimiter: '', after: 'b/1', maxKeys: 1 })).toMatchObject({
      keys: ['b/2'],
      isTruncated: true,
    });
  });

  it('url-encodes keys as S3 does for encoding-type=url', () => {
    expect(urlEncodeKey('dir/a b+c&ü')).toBe('dir/a+b%2Bc%26%C3%BC');
    expect(urlEncodeKey("run books/x~y!z'(1)*-_.txt")).toBe('run+books/x%7Ey%21z%27%281%29*-_.txt');
    expect(urlEncodeKey('100%.csv')).toBe('100%25.csv');
  });
});
