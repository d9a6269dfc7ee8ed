// ListObjectVersions: every version and delete marker, by key then newest first. On a bucket
// that never had versioning every object is its own single `null` version, the latest one
// (as AWS lists unversioned buckets, which backup and cleanup tools rely on).
import { S3Error } from '../errors.ts';
import { compareKeys, lowerBound } from '../key-order.ts';
import { skipPrefix } from '../listing.ts';
import { ownerXml } from '../owner.ts';
import type { RequestContext } from '../request-context.ts';
import { sendXml } from '../respond.ts';
import type { Store } from '../storage/store.ts';
import type { ObjectRecord } from '../storage/types.ts';
import { checkVersionId, shownVersionId } from '../versioning.ts';
import { block, isoDate, tag, xmlDocument } from '../xml.ts';
import { listParams } from './list-objects.ts';

export async function listObjectVersions(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!).name;
  const q = ctx.query;
  const p = listParams(q);
  const keyMarker = q.get('key-marker') ?? '';
  const versionMarker = q.get('version-id-marker');
  if (versionMarker !== null && versionMarker !== '' && !keyMarker) {
    throw new S3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', {
      ArgumentName: 'version-id-marker',
      ArgumentValue: versionMarker,
    });
  }
  if (versionMarker) checkVersionId(versionMarker, 'version-id-marker');
  const page = walkVersions(ctx.store, bucket, {
    prefix: p.prefix,
    delimiter: p.delimiter,
    maxKeys: p.maxKeys,
    keyMarker,
    versionMarker: versionMarker || undefined,
  });
  const entries = page.entries.map((rec) =>
    rec.deleteMarker
      ? block(
          'DeleteMarker',
          tag('Key', p.encode(rec.key)),
          tag('VersionId', shownVersionId(rec)),
          tag('IsLatest', page.latest.has(rec)),
          tag('LastModified', isoDate(rec.lastModified)),
          ownerXml(),
        )
      : block(
          'Version',
          tag('Key', p.encode(rec.key)),
          tag('VersionId', shownVersionId(rec)),
          tag('IsLatest', page.latest.has(rec)),
          tag('LastModified', isoDate(rec.lastModified)),
          tag('ETag', `"${rec.etag}"`),
          rec.checksum ? tag('ChecksumAlgorithm', rec.checksum.algorithm) : '',
          rec.checksum ? tag('ChecksumType', rec.checksum.type) : '',
          tag('Size', rec.size),
          ownerXml(),
          tag('StorageClass', rec.storageClass),
        ),
  );
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'ListVersionsResult',
      tag('Name', bucket),
      tag('Prefix', p.encode(p.prefix)),
      tag('KeyMarker', p.encode(keyMarker)),
      tag('VersionIdMarker', versionMarker ?? ''),
      page.isTruncated && page.nextKey !== undefined ? tag('NextKeyMarker', p.encode(page.nextKey)) : '',
      page.isTruncated && page.nextVersion !== undefined ? tag('NextVersionIdMarker', page.nextVersion) : '',
      tag('MaxKeys', p.maxKeys),
      p.delimiter ? tag('Delimiter', p.encode(p.delimiter)) : '',
      tag('EncodingType', p.encodingType),
      tag('IsTruncated', page.isTruncated),
      entries,
      page.commonPrefixes.map((cp) => block('CommonPrefixes', tag('Prefix', p.encode(cp)))),
    ),
  );
}

interface VersionWalk {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  keyMarker: string;
  versionMarker?: string;
}

interface VersionPage {
  entries: ObjectRecord[];
  /** The entries that are their key's latest version. */
  latest: Set<ObjectRecord>;
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKey?: string;
  nextVersion?: string;
}

/**
 * Keys in byte order, each key's versions newest first; versions, delete markers and common
 * prefixes all count against MaxKeys. Resumes inside the marker key after the marker version.
 */
function walkVersions(store: Store, bucket: string, w: VersionWalk): VersionPage {
  const keys = store.versionedKeys(bucket);
  const out: VersionPage = { entries: [], latest: new Set(), commonPrefixes: [], isTruncated: false };
  const resumeIn = w.keyMarker && w.versionMarker ? w.keyMarker : undefined;
  let i = resumeIn !== undefined ? lowerBound(keys, resumeIn) : lowerBound(keys, w.keyMarker, true);
  if (compareKeys(w.keyMarker, w.prefix) < 0) i = Math.max(i, lowerBound(keys, w.prefix));
  // A marker that is itself a rolled-up prefix skips everything under it.
  if (w.delimiter && w.keyMarker.startsWith(w.prefix) && w.keyMarker.endsWith(w.delimiter))
    i = skipPrefix(keys, i, w.keyMarker);
  let count = 0;
  const full = () => {
    if (count < w.maxKeys) return false;
    out.isTruncated = w.maxKeys > 0;
    return true;
  };
  while (i < keys.length) {
    const key = keys[i]!;
    if (!key.startsWith(w.prefix)) {
      if (compareKeys(key, w.prefix) > 0) break;
      i++;
      continue;
    }
    const d = w.delimiter ? key.indexOf(w.delimiter, w.prefix.length) : -1;
    if (d >= 0) {
      if (full()) break;
      const cp = key.slice(0, d + w.delimiter.length);
      out.commonPrefixes.push(cp);
      out.nextKey = cp;
      out.nextVersion = undefined;
      count++;
      i = skipPrefix(keys, i, cp);
      continue;
    }
    const all = store.versions(bucket, key);
    let from = 0;
    if (key === resumeIn) {
      // A marker version gone since the last page: resume after the key, never repeat it.
      const at = all.findIndex((v) => shownVersionId(v) === w.versionMarker);
      from = at < 0 ? all.length : at + 1;
    }
    for (let v = from; v < all.length; v++) {
      if (full()) return out;
      const rec = all[v]!;
      out.entries.push(rec);
      if (v === 0) out.latest.add(rec);
      out.nextKey = key;
      out.nextVersion = shownVersionId(rec);
      count++;
    }
    i++;
  }
  return out;
}
