// ListObjectVersions on a bucket that never had versioning: every object is its own single
// `null` version, the latest one (as AWS lists unversioned buckets).
import { S3Error } from '../errors.ts';
import { walkKeys } from '../listing.ts';
import { ownerXml } from '../owner.ts';
import type { RequestContext } from '../request-context.ts';
import { sendXml } from '../respond.ts';
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
  if (versionMarker !== null && versionMarker !== '' && versionMarker !== 'null') {
    throw new S3Error('InvalidArgument', 'Invalid version id specified', {
      ArgumentName: 'version-id-marker',
      ArgumentValue: versionMarker,
    });
  }
  const result = walkKeys(ctx.store.keys(bucket), {
    prefix: p.prefix,
    delimiter: p.delimiter,
    after: keyMarker,
    maxKeys: p.maxKeys,
  });
  const versions = result.keys
    .map((k) => ctx.store.head(bucket, k))
    .filter((r) => r !== undefined)
    .map((rec) =>
      block(
        'Version',
        tag('Key', p.encode(rec.key)),
        tag('VersionId', 'null'),
        tag('IsLatest', true),
        tag('LastModified', isoDate(rec.lastModified)),
        tag('ETag', `"${rec.etag}"`),
        rec.checksum ? tag('ChecksumAlgorithm', rec.checksum.algorithm) : '',
        rec.checksum ? tag('ChecksumType', rec.checksum.type) : '',
        tag('Size', rec.size),
        ownerXml(),
        tag('StorageClass', rec.storageClass),
      ),
    );
  const lastIsKey = result.last !== undefined && !result.commonPrefixes.includes(result.last);
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'ListVersionsResult',
      tag('Name', bucket),
      tag('Prefix', p.encode(p.prefix)),
      tag('KeyMarker', p.encode(keyMarker)),
      tag('VersionIdMarker', versionMarker ?? ''),
      result.isTruncated && result.last !== undefined ? tag('NextKeyMarker', p.encode(result.last)) : '',
      result.isTruncated && lastIsKey ? tag('NextVersionIdMarker', 'null') : '',
      tag('MaxKeys', p.maxKeys),
      p.delimiter ? tag('Delimiter', p.encode(p.delimiter)) : '',
      tag('EncodingType', p.encodingType),
      tag('IsTruncated', result.isTruncated),
      versions,
      result.commonPrefixes.map((cp) => block('CommonPrefixes', tag('Prefix', p.encode(cp)))),
    ),
  );
}
