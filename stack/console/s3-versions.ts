// The console's view of object versions, over the S3 API as root: every version and delete marker
// of one key, the keys under a prefix whose latest version is a delete marker, a version's bytes,
// and "restore" as AWS's console does it — a CopyObject of the old version onto the same key.

import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type EntryKind, recordWireOrder, zipWireOrder } from '../../src/storage/s3-version-order.ts';

export interface VersionRow {
  /** `null` for the null version (written while versioning was off or suspended). */
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  lastModified?: string;
  /** Absent on delete markers. */
  size?: number;
  etag?: string;
  storageClass?: string;
}

export interface KeyVersions {
  bucket: string;
  key: string;
  /** Newest first, as ListObjectVersions orders them. */
  versions: VersionRow[];
  /** More than `limit` versions: the oldest are not shown. */
  truncated: boolean;
}

export interface DeletedRow {
  key: string;
  /** The part after the prefix. */
  name: string;
  /** When the delete marker was written. */
  deletedAt?: string;
  markerVersionId: string;
}

export interface DeletedListing {
  bucket: string;
  prefix: string;
  objects: DeletedRow[];
  /** More versions exist past the pages read: call again with these markers. */
  truncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

export interface RestoreResult {
  bucket: string;
  key: string;
  restoredFrom: string;
  /** The new current version's id (absent when the bucket is not versioned). */
  versionId?: string;
  etag?: string;
}

export interface VersionGet {
  body: Readable;
  contentType?: string;
  contentLength?: number;
}

export interface VersionAccess {
  versions(bucket: string, key: string): Promise<KeyVersions>;
  deleted(
    bucket: string,
    prefix: string,
    from?: { keyMarker: string; versionIdMarker?: string },
  ): Promise<DeletedListing>;
  getVersion(bucket: string, key: string, versionId: string): Promise<VersionGet>;
  restore(bucket: string, key: string, versionId: string): Promise<RestoreResult>;
}

/** Versions of one key shown at most; a key with more says so (truncated). */
export const KEY_VERSION_LIMIT = 5000;
/** ListObjectVersions pages read per "deleted keys" call before handing back markers. */
export const DELETED_SCAN_PAGES = 10;

type Send = <T>(run: () => Promise<T>) => Promise<T>;

/** `bucket/key?versionId=`: the key URL-encoded with its slashes kept, as the SDK expects. */
export function copySourceOf(bucket: string, key: string, versionId: string): string {
  const path = encodeURIComponent(key).replace(/%2F/g, '/');
  return `${bucket}/${path}?versionId=${encodeURIComponent(versionId)}`;
}

function versionRows(list: NonNullable<ListObjectVersionsCommandOutput['Versions']>) {
  return list.map((v) => ({
    key: v.Key,
    versionId: v.VersionId ?? 'null',
    isLatest: Boolean(v.IsLatest),
    deleteMarker: false,
    lastModified: v.LastModified?.toISOString(),
    size: v.Size ?? 0,
    etag: v.ETag,
    storageClass: v.StorageClass,
  }));
}

function markerRows(list: NonNullable<ListObjectVersionsCommandOutput['DeleteMarkers']>) {
  return list.map((m) => ({
    key: m.Key,
    versionId: m.VersionId ?? 'null',
    isLatest: Boolean(m.IsLatest),
    deleteMarker: true,
    lastModified: m.LastModified?.toISOString(),
  }));
}

/**
 * This key's rows of one page, newest first. The SDK hands versions and delete markers back as
 * two lists, each in the listing's order; the entry kinds read from the raw body zip them back
 * into the one order S3 sent (the app's storage adapter does the same).
 */
function rowsOf(
  out: ListObjectVersionsCommandOutput,
  key: string,
  kinds: EntryKind[] | undefined,
): VersionRow[] {
  const strip = ({ key: _key, ...row }: VersionRow & { key?: string }): VersionRow => row;
  const all = zipWireOrder(versionRows(out.Versions ?? []), markerRows(out.DeleteMarkers ?? []), kinds);
  if (all) return all.filter((r) => r.key === key).map(strip);
  const versions = versionRows(out.Versions ?? [])
    .filter((r) => r.key === key)
    .map(strip);
  const markers = markerRows(out.DeleteMarkers ?? [])
    .filter((r) => r.key === key)
    .map(strip);
  // Without the raw order (it could not be read): merge by time, a marker first on a tie.
  const rows: VersionRow[] = [];
  let i = 0;
  let j = 0;
  while (i < versions.length || j < markers.length) {
    const v = versions[i];
    const m = markers[j];
    const takeMarker =
      m !== undefined &&
      (v === undefined ||
        (m.isLatest && !v.isLatest) ||
        (!v.isLatest && (m.lastModified ?? '') >= (v.lastModified ?? '')));
    if (takeMarker) {
      rows.push(m);
      j++;
    } else {
      rows.push(v!);
      i++;
    }
  }
  return rows;
}

export interface VersionAccessOptions {
  /** MaxKeys of each ListObjectVersions call. @default 1000 */
  pageSize?: number;
}

export function createVersionAccess(
  client: S3Client,
  send: Send,
  options: VersionAccessOptions = {},
): VersionAccess {
  const pageSize = options.pageSize ?? 1000;
  const page = (
    bucket: string,
    prefix: string,
    keyMarker?: string,
    versionIdMarker?: string,
    delimiter?: string,
  ) =>
    send(async () => {
      const command = new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix || undefined,
        Delimiter: delimiter,
        KeyMarker: keyMarker || undefined,
        VersionIdMarker: keyMarker ? versionIdMarker || undefined : undefined,
        MaxKeys: pageSize,
      });
      const kinds = recordWireOrder(command);
      const out = await client.send(command);
      return Object.assign(out, { kinds: kinds() });
    });

  return {
    async versions(bucket, key) {
      // Prefix = key also lists longer keys (photo.png.bak): keep exactly this key, and stop
      // paging once the listing has moved past it (keys come in order, this one first).
      const found: VersionRow[] = [];
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      for (;;) {
        const out = await page(bucket, key, keyMarker, versionIdMarker);
        found.push(...rowsOf(out, key, out.kinds));
        const movedOn = out.NextKeyMarker !== undefined && out.NextKeyMarker !== key;
        // A server repeating its markers would never end the loop: show what came, truncated.
        const stuck = out.NextKeyMarker === keyMarker && out.NextVersionIdMarker === versionIdMarker;
        if (!out.IsTruncated || movedOn || stuck || found.length >= KEY_VERSION_LIMIT) {
          return {
            bucket,
            key,
            versions: found.slice(0, KEY_VERSION_LIMIT),
            truncated: Boolean(out.IsTruncated && !movedOn),
          };
        }
        keyMarker = out.NextKeyMarker;
        versionIdMarker = out.NextVersionIdMarker;
      }
    },

    async deleted(bucket, prefix, from) {
      const objects: DeletedRow[] = [];
      let keyMarker = from?.keyMarker;
      let versionIdMarker = from?.versionIdMarker;
      for (let n = 0; n < DELETED_SCAN_PAGES; n++) {
        // With '/' as delimiter, as the object listing browses: keys in "folders" are not here.
        const out = await page(bucket, prefix, keyMarker, versionIdMarker, '/');
        for (const m of out.DeleteMarkers ?? []) {
          if (!m.IsLatest || !m.Key) continue;
          objects.push({
            key: m.Key,
            name: m.Key.slice(prefix.length),
            deletedAt: m.LastModified?.toISOString(),
            markerVersionId: m.VersionId ?? 'null',
          });
        }
        if (!out.IsTruncated) return { bucket, prefix, objects, truncated: false };
        keyMarker = out.NextKeyMarker;
        versionIdMarker = out.NextVersionIdMarker;
      }
      return {
        bucket,
        prefix,
        objects,
        truncated: true,
        nextKeyMarker: keyMarker,
        nextVersionIdMarker: versionIdMarker,
      };
    },

    async getVersion(bucket, key, versionId) {
      const out = await send(() =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })),
      );
      return { body: out.Body as Readable, contentType: out.ContentType, contentLength: out.ContentLength };
    },

    async restore(bucket, key, versionId) {
      // Metadata, content type and tags come with the copy (COPY directives, the defaults).
      const out = await send(() =>
        client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: key,
            CopySource: copySourceOf(bucket, key, versionId),
          }),
        ),
      );
      return {
        bucket,
        key,
        restoredFrom: versionId,
        versionId: out.VersionId,
        etag: out.CopyObjectResult?.ETag,
      };
    },
  };
}
