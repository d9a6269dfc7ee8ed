// The SigV4 canonical request as S3 builds it: URI not double-encoded, query re-encoded with
// the RFC 3986 unreserved set and sorted, headers lower-cased and whitespace-collapsed.
import { hash } from 'node:crypto';

/** 1 for the RFC 3986 unreserved ASCII bytes: A-Z a-z 0-9 - . _ ~ */
const UNRESERVED = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') {
  UNRESERVED[ch.charCodeAt(0)] = 1;
}
const ESCAPED = Array.from({ length: 256 }, (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);
const SLASH = 0x2f;

/** RFC 3986 percent-encoding of UTF-8 text, everything but unreserved characters (and `/` if asked). */
export function uriEncode(text: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte < 0x80 && (UNRESERVED[byte] === 1 || (keepSlash && byte === SLASH)))
      out += String.fromCharCode(byte);
    else out += ESCAPED[byte];
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
  return isCanonicalAscii(value) ? value : value.trim().replace(/\s+/g, ' ');
}

/**
 * Printable ASCII with lone inner spaces only: already in `trimall` form. Anything else (tabs,
 * runs, edges, non-ASCII that `\s` may match) takes the general path.
 */
function isCanonicalAscii(value: string): boolean {
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) continue;
    if (c !== 0x20 || i === 0 || i === n - 1 || value.charCodeAt(i + 1) === 0x20) return false;
  }
  return true;
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
