// Which bucket and key a request names: virtual-hosted style (`bucket.<domain>`,
// `bucket.s3.<domain>`) or path style (`/bucket/key`), with the key percent-decoded from
// the raw request path.
import { S3Error } from './errors.ts';
import type { Scope } from './routes.ts';

export interface Addressed {
  scope: Scope;
  bucket?: string;
  key?: string;
  style: 'path' | 'virtual';
}

function hostname(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new S3Error('InvalidURI');
  }
}

/** The bucket named by the Host header, if the request is virtual-hosted style. */
export function virtualBucket(host: string | undefined, domain: string): string | undefined {
  const name = hostname(host);
  for (const d of [`s3.${domain}`, domain]) {
    if (name === d) return undefined;
    if (name.endsWith(`.${d}`)) return name.slice(0, -(d.length + 1));
  }
  return undefined;
}

export function address(rawPath: string, host: string | undefined, domain: string): Addressed {
  const vbucket = virtualBucket(host, domain);
  if (vbucket !== undefined) {
    const rest = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
    const key = decode(rest);
    return key === ''
      ? { scope: 'bucket', bucket: vbucket, style: 'virtual' }
      : { scope: 'object', bucket: vbucket, key, style: 'virtual' };
  }
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path === '') return { scope: 'service', style: 'path' };
  const slash = path.indexOf('/');
  if (slash < 0) return { scope: 'bucket', bucket: decode(path), style: 'path' };
  const bucket = decode(path.slice(0, slash));
  const key = decode(path.slice(slash + 1));
  return key === ''
    ? { scope: 'bucket', bucket, style: 'path' }
    : { scope: 'object', bucket, key, style: 'path' };
}
