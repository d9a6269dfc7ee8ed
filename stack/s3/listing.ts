// The listing walk shared by ListObjects, ListObjectsV2 and ListMultipartUploads: keys in
// byte order after a marker, rolled up into CommonPrefixes by a delimiter, where a prefix
// counts against MaxKeys like a key.
import { compareKeys, lowerBound } from './key-order.ts';

export interface ListingInput {
  prefix: string;
  delimiter: string;
  /** Exclusive: start strictly after this key (or after this common prefix's keys). */
  after: string;
  maxKeys: number;
}

export interface ListingOutput {
  keys: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or prefix returned: the marker for the next page. */
  last?: string;
}

/** First index at or after `from` whose key does not start with `prefix` (keys sharing it are contiguous). */
export function skipPrefix(sorted: readonly string[], from: number, prefix: string): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.startsWith(prefix)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function walkKeys(sorted: readonly string[], input: ListingInput): ListingOutput {
  const { prefix, delimiter, after, maxKeys } = input;
  const out: ListingOutput = { keys: [], commonPrefixes: [], isTruncated: false };
  let i = compareKeys(after, prefix) >= 0 ? lowerBound(sorted, after, true) : lowerBound(sorted, prefix);
  // A marker that is itself a rolled-up prefix skips everything under it.
  if (delimiter && after && after.startsWith(prefix) && after.endsWith(delimiter))
    i = skipPrefix(sorted, i, after);
  let count = 0;
  while (i < sorted.length) {
    const key = sorted[i]!;
    if (!key.startsWith(prefix)) {
      if (compareKeys(key, prefix) > 0) break;
      i++;
      continue;
    }
    const d = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (count >= maxKeys) {
      out.isTruncated = maxKeys > 0;
      break;
    }
    if (d >= 0) {
      const cp = key.slice(0, d + delimiter.length);
      out.commonPrefixes.push(cp);
      out.last = cp;
      i = skipPrefix(sorted, i, cp);
    } else {
      out.keys.push(key);
      out.last = key;
      i++;
    }
    count++;
  }
  return out;
}

/**
 * `encoding-type=url` as S3 writes it: as java.net.URLEncoder, with `/` kept. A space is `+`
 * (so a literal `+` is %2B), and only A-Z a-z 0-9 - _ . * / stay as they are; `~ ! ' ( )` are
 * escaped. What MinIO writes (its s3URLEncode), and what a public measurement on AWS reports
 * (`a b.txt` -> `a+b.txt`, `a+b.txt` -> `a%2Bb.txt`).
 */
export function urlEncodeKey(value: string): string {
  return encodeURIComponent(value)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[~!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
