// Object versions on S3: ListObjectVersions paged with its key and version-id markers, and a
// restore by CopyObject from `bucket/key?versionId=` onto the same key (how S3 restores).
import {
  CopyObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { encodeKey, unquote } from './key-encoding.ts';
import { assertValidKey, assertValidPrefix } from './object-key.ts';
import { type EntryKind, recordWireOrder, zipWireOrder } from './s3-version-order.ts';
import type { PutResult, VersionEntry } from './storage.ts';
import { StorageError } from './storage-error.ts';
import { assertValidVersionId } from './version-id.ts';

export interface S3VersionsTarget {
  client: S3Client;
  bucket: string;
  pageSize: number;
  /** Encryption headers every write sends (a restore is a write). */
  sse: { ServerSideEncryption?: 'AES256' | 'aws:kms'; SSEKMSKeyId?: string };
  fail(error: unknown, context?: { key?: string; versionId?: string; action?: string }): StorageError;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A page's entries in wire order; without it, by key, latest first, then newest first. */
function pageEntries(page: ListObjectVersionsCommandOutput, kinds: EntryKind[] | undefined): VersionEntry[] {
  const versions: VersionEntry[] = (page.Versions ?? []).map((v) => ({
    key: v.Key!,
    versionId: v.VersionId ?? 'null',
    isLatest: v.IsLatest === true,
    deleteMarker: false,
    lastModified: v.LastModified ?? new Date(0),
    size: v.Size ?? 0,
    etag: unquote(v.ETag),
  }));
  const markers: VersionEntry[] = (page.DeleteMarkers ?? []).map((d) => ({
    key: d.Key!,
    versionId: d.VersionId ?? 'null',
    isLatest: d.IsLatest === true,
    deleteMarker: true,
    lastModified: d.LastModified ?? new Date(0),
    size: 0,
  }));
  const ordered = zipWireOrder(versions, markers, kinds);
  if (ordered) return ordered;
  // Timestamps have one-second resolution: a marker and a version written in the same second
  // keep the SDK's order (versions first), which may differ from S3's.
  return [...versions, ...markers].sort(
    (a, b) =>
      byteOrder(a.key, b.key) ||
      Number(b.isLatest) - Number(a.isLatest) ||
      b.lastModified.getTime() - a.lastModified.getTime(),
  );
}

/** Pages are bounded so a server that never stops truncating cannot hang the app. */
const MAX_PAGES = 100_000;

export async function listS3Versions(target: S3VersionsTarget, prefix: string): Promise<VersionEntry[]> {
  assertValidPrefix(prefix);
  const entries: VersionEntry[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  try {
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const command = new ListObjectVersionsCommand({
        Bucket: target.bucket,
        Prefix: prefix === '' ? undefined : prefix,
        MaxKeys: target.pageSize,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      });
      const order = recordWireOrder(command);
      const page = await target.client.send(command);
      entries.push(...pageEntries(page, order()));
      if (!page.IsTruncated) return entries;
      if (
        !page.NextKeyMarker ||
        (page.NextKeyMarker === keyMarker && page.NextVersionIdMarker === versionIdMarker)
      ) {
        throw new StorageError(
          'UNKNOWN',
          `s3://${target.bucket}: ListObjectVersions was truncated without new markers (prefix ${JSON.stringify(prefix)})`,
        );
      }
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
  } catch (error) {
    throw target.fail(error, { action: 's3:ListBucketVersions on the bucket' });
  }
  throw new StorageError(
    'UNKNOWN',
    `s3://${target.bucket}: ListObjectVersions did not end in ${MAX_PAGES} pages`,
  );
}

/** The key's current version id (`null` when written without versioning), or undefined when it reads as deleted. */
async function currentVersion(
  target: S3VersionsTarget,
  key: string,
): Promise<{ versionId: string; size: number; etag?: string } | undefined> {
  try {
    const out = await target.client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: key }));
    return { versionId: out.VersionId ?? 'null', size: out.ContentLength ?? 0, etag: unquote(out.ETag) };
  } catch (error) {
    const mapped = target.fail(error, { key, action: 's3:GetObject on bucket/*' });
    if (mapped.code === 'NOT_FOUND') return undefined;
    throw mapped;
  }
}

export async function restoreS3Version(
  target: S3VersionsTarget,
  key: string,
  versionId: string,
): Promise<PutResult> {
  assertValidKey(key);
  assertValidVersionId(versionId, key);
  const current = await currentVersion(target, key);
  // Copying the current version onto itself is refused by S3 (or, with encryption headers,
  // writes a needless copy): it already is what a restore would make it.
  if (current?.versionId === versionId) return { key, ...current };
  const action = 's3:GetObjectVersion and s3:PutObject on bucket/*';
  let copied: { versionId?: string; etag?: string };
  try {
    const out = await target.client.send(
      new CopyObjectCommand({
        Bucket: target.bucket,
        Key: key,
        CopySource: `${target.bucket}/${encodeKey(key)}?versionId=${encodeURIComponent(versionId)}`,
        ...target.sse,
      }),
    );
    copied = { versionId: out.VersionId, etag: unquote(out.CopyObjectResult?.ETag) };
  } catch (error) {
    const mapped = target.fail(error, { key, versionId, action });
    // The id names a delete marker, which has nothing to copy: AWS answers 400 InvalidRequest,
    // MinIO 405 MethodNotAllowed (as GetObject on a marker does).
    if (
      (mapped.s3Code === 'InvalidRequest' && /delete marker/i.test(mapped.message)) ||
      mapped.httpStatus === 405
    ) {
      throw new StorageError(
        'NOT_FOUND',
        `${JSON.stringify(key)} version ${JSON.stringify(versionId)} is a delete marker, not a restorable version`,
        { key, httpStatus: mapped.httpStatus, s3Code: mapped.s3Code, cause: error },
      );
    }
    throw mapped;
  }
  // CopyObject does not report the size; read it from the version just written.
  try {
    const head = await target.client.send(
      new HeadObjectCommand({ Bucket: target.bucket, Key: key, VersionId: copied.versionId }),
    );
    return {
      key,
      size: head.ContentLength ?? 0,
      etag: copied.etag ?? unquote(head.ETag),
      versionId: copied.versionId ?? 'null',
    };
  } catch (error) {
    throw target.fail(error, { key, versionId: copied.versionId, action });
  }
}
