// The SigV4 canonical request as S3 builds it: URI not double-encoded, query re-encoded with
// the RFC 3986 unreserved set and sorted, headers lower-cased and whitespace-collapsed.
import { hash } from 'node:crypto';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 percent-encoding of UTF-8 text, everything but unreserved characters (and `/` if asked). */
export function uriEncode(text: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && (UNRESERVED.test(ch) || (keepSlash && ch === '/'))) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Percent-decoding that never throws: a malformed escape stays literal, as S3 tolerates it. */
export function safeDecode(text: string, plusIsSpace = false): string {
  const s = plusIsSpace ? text.replace(/\+/g, ' ') : text;
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

export interface QueryParam {
  /** Decoded. */
  key: string;
  value: string;
}

/** Splits a raw query string into decoded pairs, in order. `+` is literal unless asked. */
export function parseQuery(rawQuery: string, plusIsSpace = false): QueryParam[] {
  if (!rawQuery) return [];
  const out: QueryParam[] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.push({ key: safeDecode(k, plusIsSpace), value: safeDecode(v, plusIsSpace) });
  }
  return out;
}

/** Canonical query string: each pair re-encoded, sorted by encoded key then encoded value. */
export function canonicalQuery(params: QueryParam[], exclude?: string): string {
  const encoded: [string, string][] = [];
  for (const { key, value } of params) {
    if (key === exclude) continue;
    encoded.push([uriEncode(key), uriEncode(value)]);
  }
  encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return encoded.map(([k, v]) => `${k}=${v}`).join('&');
}

/** The canonical URI: the path exactly as sent ('/' when empty). */
export function canonicalUriRaw(rawPath: string): string {
  return rawPath === '' ? '/' : rawPath;
}

/** The canonical URI re-derived from the decoded path, for clients that escape differently. */
export function canonicalUriNormalized(rawPath: string): string {
  return uriEncode(safeDecode(canonicalUriRaw(rawPath)), true);
}

/** `trimall`: trimmed, inner whitespace runs collapsed to one space. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

export interface CanonicalInput {
  method: string;
  uri: string;
  query: string;
  /** [lower-case name, canonical value] in SignedHeaders order. */
  headers: [string, string][];
  signedHeaders: string;
  payloadHash: string;
}

export function canonicalRequest(c: CanonicalInput): string {
  let headerBlock = '';
  for (const [name, value] of c.headers) headerBlock += `${name}:${value}\n`;
  return `${c.method}\n${c.uri}\n${c.query}\n${headerBlock}\n${c.signedHeaders}\n${c.payloadHash}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

/** `41 57 53 34 ...`: the byte dump S3 puts in SignatureDoesNotMatch errors. */
export function hexBytes(text: string): string {
  const hex = Buffer.from(text, 'utf8').toString('hex');
  let out = '';
  for (let i = 0; i < hex.length; i += 2) out += (i ? ' ' : '') + hex.slice(i, i + 2);
  return out;
}
