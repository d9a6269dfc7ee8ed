// Object metadata between HTTP headers and the stored record: system headers, user
// metadata (x-amz-meta-*, 2 KB as AWS counts it), tags (x-amz-tagging), SSE, checksums.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { S3Error } from './errors.ts';
import { type ObjectSse, sseHeaders } from './sse.ts';
import type { ObjectRecord } from './storage/types.ts';
import { parseTagQuery } from './tags.ts';

const MAX_USER_META = 2048;

export type ContentMeta = Pick<
  ObjectRecord,
  | 'contentType'
  | 'contentEncoding'
  | 'contentDisposition'
  | 'contentLanguage'
  | 'cacheControl'
  | 'expires'
  | 'userMeta'
  | 'storageClass'
  | 'sse'
  | 'sseKmsKeyId'
  | 'bucketKeyEnabled'
  | 'sseContext'
>;

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Content-Encoding without the transport-only `aws-chunked` token. */
export function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const kept = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
  return kept.length ? kept.join(',') : undefined;
}

const STORAGE_CLASSES = new Set([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
  'EXPRESS_ONEZONE',
]);

export function refuseSseC(headers: IncomingHttpHeaders): void {
  if (headers['x-amz-server-side-encryption-customer-algorithm'] !== undefined) {
    throw new S3Error('NotImplemented', 'SSE-C is not implemented by this server', {
      Header: 'x-amz-server-side-encryption-customer-algorithm',
    });
  }
}

/**
 * Object ACLs: new buckets enforce bucket-owner ownership on AWS, which refuses any ACL
 * other than the ones equivalent to "owner has full control".
 */
export function checkAclHeaders(headers: IncomingHttpHeaders): void {
  const acl = one(headers, 'x-amz-acl');
  const grants = [
    'x-amz-grant-full-control',
    'x-amz-grant-read',
    'x-amz-grant-read-acp',
    'x-amz-grant-write-acp',
  ];
  if (
    (acl !== undefined && acl !== 'private' && acl !== 'bucket-owner-full-control') ||
    grants.some((g) => headers[g])
  ) {
    throw new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs');
  }
}

export function userMetaFrom(headers: IncomingHttpHeaders): Record<string, string> {
  const meta: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const k = name.slice('x-amz-meta-'.length);
    const v = Array.isArray(value) ? value.join(',') : value;
    meta[k] = v;
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > MAX_USER_META)
    throw new S3Error('MetadataTooLarge', undefined, {
      Size: String(size),
      MaxSizeAllowed: String(MAX_USER_META),
    });
  return meta;
}

/** `sse`: what resolveSse decided from the headers and the bucket's default encryption. */
export function contentMetaFrom(headers: IncomingHttpHeaders, sse: ObjectSse): ContentMeta {
  const storageClass = one(headers, 'x-amz-storage-class') ?? 'STANDARD';
  if (!STORAGE_CLASSES.has(storageClass))
    throw new S3Error('InvalidStorageClass', undefined, { StorageClassRequested: storageClass });
  refuseSseC(headers);
  checkAclHeaders(headers);
  return {
    contentType: one(headers, 'content-type') || 'binary/octet-stream',
    contentEncoding: storedContentEncoding(one(headers, 'content-encoding')),
    contentDisposition: one(headers, 'content-disposition'),
    contentLanguage: one(headers, 'content-language'),
    cacheControl: one(headers, 'cache-control'),
    expires: one(headers, 'expires'),
    userMeta: userMetaFrom(headers),
    storageClass,
    ...sse,
  };
}

export function tagsFromHeader(headers: IncomingHttpHeaders): [string, string][] {
  const raw = one(headers, 'x-amz-tagging');
  return raw === undefined ? [] : parseTagQuery(raw);
}

export function quotedEtag(etag: string): string {
  return `"${etag}"`;
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

// Records are immutable (a write replaces the record, never edits it), so the header pairs a
// record answers with are built once per record: formatting Last-Modified alone cost more
// than the lookup on every read of a hot object.
const objectHeaderCache = new WeakMap<ObjectRecord, readonly string[]>();

function objectHeaderPairs(rec: ObjectRecord): readonly string[] {
  const h: string[] = [
    'ETag',
    quotedEtag(rec.etag),
    'Last-Modified',
    httpDate(rec.lastModified),
    'Content-Type',
    rec.contentType,
    'Accept-Ranges',
    'bytes',
  ];
  if (rec.contentEncoding) h.push('Content-Encoding', rec.contentEncoding);
  if (rec.contentDisposition) h.push('Content-Disposition', rec.contentDisposition);
  if (rec.contentLanguage) h.push('Content-Language', rec.contentLanguage);
  if (rec.cacheControl) h.push('Cache-Control', rec.cacheControl);
  if (rec.expires) h.push('Expires', rec.expires);
  for (const [k, v] of Object.entries(rec.userMeta)) h.push(`x-amz-meta-${k}`, v);
  for (const [k, v] of Object.entries(sseHeaders(rec))) h.push(k, v);
  if (rec.storageClass !== 'STANDARD') h.push('x-amz-storage-class', rec.storageClass);
  if (rec.tags.length) h.push('x-amz-tagging-count', String(rec.tags.length));
  if (rec.parts) h.push('x-amz-mp-parts-count', String(rec.parts.length));
  return h;
}

/** Headers of a GET/HEAD response describing the object (not the range or checksum), as name/value pairs. */
export function objectHeaders(rec: ObjectRecord): readonly string[] {
  let h = objectHeaderCache.get(rec);
  if (h === undefined) {
    h = objectHeaderPairs(rec);
    objectHeaderCache.set(rec, h);
  }
  return h;
}

/** Headers of a GET/HEAD response describing the object (not the range or checksum). */
export function setObjectHeaders(res: ServerResponse, rec: ObjectRecord): void {
  const h = objectHeaders(rec);
  for (let i = 0; i < h.length; i += 2) res.setHeader(h[i]!, h[i + 1]!);
}

/**
 * res.setHeader's rule on a list of name/value pairs: a name already there (in any case) takes
 * the new name and value in its place; a new one goes last.
 */
export function setPair(pairs: string[], name: string, value: string): void {
  const lower = name.toLowerCase();
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i]!.toLowerCase() === lower) {
      pairs[i] = name;
      pairs[i + 1] = value;
      return;
    }
  }
  pairs.push(name, value);
}

/** x-amz-checksum-<alg> and x-amz-checksum-type, only when the client asked with x-amz-checksum-mode. */
export function setChecksumHeaders(
  res: ServerResponse,
  rec: ObjectRecord,
  headers: IncomingHttpHeaders,
): void {
  const h: string[] = [];
  addChecksumHeaders(h, rec, headers);
  for (let i = 0; i < h.length; i += 2) res.setHeader(h[i]!, h[i + 1]!);
}

/** setChecksumHeaders onto a list of name/value pairs (names no other object header uses). */
export function addChecksumHeaders(pairs: string[], rec: ObjectRecord, headers: IncomingHttpHeaders): void {
  if (!rec.checksum || one(headers, 'x-amz-checksum-mode')?.toUpperCase() !== 'ENABLED') return;
  pairs.push(
    `x-amz-checksum-${rec.checksum.algorithm.toLowerCase()}`,
    rec.checksum.value,
    'x-amz-checksum-type',
    rec.checksum.type,
  );
}
