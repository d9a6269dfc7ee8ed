// ListMultipartUploads: uploads in key order (then initiation order), key-marker /
// upload-id-marker paging, prefix and delimiter roll-up.
import { S3Error } from '../errors.ts';
import { compareKeys } from '../key-order.ts';
import { urlEncodeKey } from '../listing.ts';
import { ownerXml } from '../owner.ts';
import type { RequestContext } from '../request-context.ts';
import { sendXml } from '../respond.ts';
import { block, isoDate, tag, xmlDocument } from '../xml.ts';

export async function listMultipartUploads(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!).name;
  const q = ctx.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const uploadIdMarker = q.get('upload-id-marker') ?? '';
  const rawMax = q.get('max-uploads');
  if (rawMax !== null && !/^\d+$/.test(rawMax)) {
    throw new S3Error('InvalidArgument', 'Provided max-uploads not an integer or within integer range', {
      ArgumentName: 'max-uploads',
      ArgumentValue: rawMax,
    });
  }
  const max = rawMax === null ? 1000 : Math.min(Number(rawMax), 1000);
  const encodingType = q.get('encoding-type');
  if (encodingType !== null && encodingType.toLowerCase() !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', {
      ArgumentName: 'encoding-type',
      ArgumentValue: encodingType,
    });
  }
  const enc = encodingType ? urlEncodeKey : (s: string) => s;
  const all = ctx.store.listUploads(bucket);
  let start = 0;
  if (keyMarker) {
    const markerIdx = uploadIdMarker
      ? all.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker)
      : -1;
    start = markerIdx >= 0 ? markerIdx + 1 : all.findIndex((u) => compareKeys(u.key, keyMarker) > 0);
    if (start < 0) start = all.length;
  }
  const uploads: typeof all = [];
  const prefixes: string[] = [];
  let truncated = false;
  let nextKey = '';
  let nextId = '';
  for (let i = start; i < all.length; i++) {
    const u = all[i]!;
    if (!u.key.startsWith(prefix)) continue;
    if (uploads.length + prefixes.length >= max) {
      truncated = true;
      break;
    }
    const d = delimiter ? u.key.indexOf(delimiter, prefix.length) : -1;
    if (d >= 0) {
      const cp = u.key.slice(0, d + delimiter.length);
      if (prefixes[prefixes.length - 1] !== cp) prefixes.push(cp);
      nextKey = cp;
      continue;
    }
    uploads.push(u);
    nextKey = u.key;
    nextId = u.uploadId;
  }
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'ListMultipartUploadsResult',
      tag('Bucket', bucket),
      tag('KeyMarker', enc(keyMarker)),
      tag('UploadIdMarker', uploadIdMarker),
      truncated ? tag('NextKeyMarker', enc(nextKey)) : '',
      truncated ? tag('NextUploadIdMarker', nextId) : '',
      q.has('prefix') ? tag('Prefix', enc(prefix)) : '',
      delimiter ? tag('Delimiter', enc(delimiter)) : '',
      tag('MaxUploads', max),
      encodingType ? tag('EncodingType', 'url') : '',
      tag('IsTruncated', truncated),
      uploads.map((u) =>
        block(
          'Upload',
          tag('Key', enc(u.key)),
          tag('UploadId', u.uploadId),
          ownerXml('Initiator', u.initiator),
          ownerXml(),
          tag('StorageClass', u.meta.storageClass),
          tag('Initiated', isoDate(u.initiated)),
          u.checksumAlgorithm ? tag('ChecksumAlgorithm', u.checksumAlgorithm) : '',
          u.checksumType ? tag('ChecksumType', u.checksumType) : '',
        ),
      ),
      prefixes.map((p) => block('CommonPrefixes', tag('Prefix', enc(p)))),
    ),
  );
}
