// Header access for signing. Node joins repeated headers with ', ' in `headers`, but SigV4 joins
// their trimmed values with ','; `rawHeaders` keeps each occurrence, so it is used when given.
import type { IncomingHttpHeaders } from 'node:http';
import { canonicalHeaderValue } from './canonical.ts';

export interface HeaderSource {
  headers: IncomingHttpHeaders;
  rawHeaders?: string[];
}

/** First value of a header as a string (lower-case name). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0] : v;
}

/** [name, canonical value] for each signed header; an absent header canonicalizes to ''. */
export function canonicalHeaders(src: HeaderSource, signed: string[]): [string, string][] {
  if (src.rawHeaders) {
    // Values by the position of the name's first occurrence in `signed` (a handful of names).
    const values: (string | undefined)[] = new Array(signed.length);
    const raw = src.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const at = signed.indexOf(raw[i].toLowerCase());
      if (at < 0) continue;
      const value = canonicalHeaderValue(raw[i + 1]);
      const before = values[at];
      values[at] = before === undefined ? value : `${before},${value}`;
    }
    return signed.map((name) => [name, values[signed.indexOf(name)] ?? '']);
  }
  return signed.map((name) => {
    const v = src.headers[name];
    if (v === undefined) return [name, ''];
    return [name, Array.isArray(v) ? v.map(canonicalHeaderValue).join(',') : canonicalHeaderValue(v)];
  });
}
