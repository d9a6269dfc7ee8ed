// What tests see of stored objects through the in-process handle (no HTTP).
import type { ObjectRecord } from './storage/types.ts';

export interface ObjectInfo {
  key: string;
  size: number;
  /** Quoted, as S3 returns it. */
  etag: string;
  lastModified: Date;
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** x-amz-meta-* without the prefix, lower-cased names. */
  metadata: Record<string, string>;
  tags: Record<string, string>;
  checksum?: { algorithm: string; value: string; type: string };
  storageClass: string;
  serverSideEncryption?: string;
  /** Number of parts for multipart objects. */
  partsCount?: number;
}

export function objectInfo(rec: ObjectRecord): ObjectInfo {
  return {
    key: rec.key,
    size: rec.size,
    etag: `"${rec.etag}"`,
    lastModified: new Date(rec.lastModified),
    contentType: rec.contentType,
    contentEncoding: rec.contentEncoding,
    contentDisposition: rec.contentDisposition,
    contentLanguage: rec.contentLanguage,
    cacheControl: rec.cacheControl,
    expires: rec.expires,
    metadata: { ...rec.userMeta },
    tags: Object.fromEntries(rec.tags),
    // A default checksum not computed yet is not shown.
    checksum: rec.checksum?.value ? { ...rec.checksum } : undefined,
    storageClass: rec.storageClass,
    serverSideEncryption: rec.sse,
    partsCount: rec.parts?.length,
  };
}
