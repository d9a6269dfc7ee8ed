// ListObjects (v1) and ListObjectsV2.
import { S3Error } from '../errors.ts';
import { type ListingOutput, urlEncodeKey, walkKeys } from '../listing.ts';
import { ownerXml } from '../owner.ts';
import type { RequestContext } from '../request-context.ts';
import { sendXml } from '../respond.ts';
import type { ObjectRecord } from '../storage/types.ts';
import { block, isoDate, tag, xmlDocument } from '../xml.ts';

export interface ListParams {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  encode: (s: string) => string;
  encodingType?: string;
}

export function listParams(query: URLSearchParams): ListParams {
  const rawMax = query.get('max-keys');
  let maxKeys = 1000;
  if (rawMax !== null) {
    if (!/^\d+$/.test(rawMax) || Number(rawMax) > 2147483647) {
      throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', {
        ArgumentName: 'max-keys',
        ArgumentValue: rawMax,
      });
    }
    maxKeys = Math.min(Number(rawMax), 1000);
  }
  const encodingType = query.get('encoding-type') ?? undefined;
  if (encodingType !== undefined && encodingType.toLowerCase() !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', {
      ArgumentName: 'encoding-type',
      ArgumentValue: encodingType,
    });
  }
  return {
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') ?? '',
    maxKeys,
    encodingType: encodingType ? 'url' : undefined,
    encode: encodingType ? urlEncodeKey : (s) => s,
  };
}

/** Condition keys a ListBucket policy can test. */
export function listConditions(query: URLSearchParams): Record<string, string> {
  const c: Record<string, string> = { 's3:prefix': query.get('prefix') ?? '' };
  const d = query.get('delimiter');
  if (d !== null) c['s3:delimiter'] = d;
  const m = query.get('max-keys');
  if (m !== null) c['s3:max-keys'] = m;
  return c;
}

function contentsXml(rec: ObjectRecord, p: ListParams, withOwner: boolean): string {
  return block(
    'Contents',
    tag('Key', p.encode(rec.key)),
    tag('LastModified', isoDate(rec.lastModified)),
    tag('ETag', `"${rec.etag}"`),
    rec.checksum ? tag('ChecksumAlgorithm', rec.checksum.algorithm) : '',
    rec.checksum ? tag('ChecksumType', rec.checksum.type) : '',
    tag('Size', rec.size),
    withOwner ? ownerXml() : '',
    tag('StorageClass', rec.storageClass),
  );
}

function entries(ctx: RequestContext, result: ListingOutput, p: ListParams, withOwner: boolean): string[] {
  const bucket = ctx.bucket!;
  const parts: string[] = [];
  for (const key of result.keys) {
    const rec = ctx.store.head(bucket, key);
    if (rec) parts.push(contentsXml(rec, p, withOwner));
  }
  for (const cp of result.commonPrefixes) parts.push(block('CommonPrefixes', tag('Prefix', p.encode(cp))));
  return parts;
}

export async function listObjectsV2(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!).name;
  const q = ctx.query;
  const p = listParams(q);
  const token = q.get('continuation-token');
  let after = q.get('start-after') ?? '';
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    if (token === '' || !decoded.startsWith('1:')) {
      throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
        ArgumentName: 'continuation-token',
        ArgumentValue: token,
      });
    }
    after = decoded.slice(2);
  }
  const result = walkKeys(ctx.store.keys(bucket), {
    prefix: p.prefix,
    delimiter: p.delimiter,
    after,
    maxKeys: p.maxKeys,
  });
  const next =
    result.isTruncated && result.last !== undefined
      ? Buffer.from(`1:${result.last}`).toString('base64')
      : undefined;
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'ListBucketResult',
      tag('Name', bucket),
      tag('Prefix', p.encode(p.prefix)),
      tag('ContinuationToken', token ?? undefined),
      tag('NextContinuationToken', next),
      tag('KeyCount', result.keys.length + result.commonPrefixes.length),
      tag('MaxKeys', p.maxKeys),
      p.delimiter ? tag('Delimiter', p.encode(p.delimiter)) : '',
      tag('EncodingType', p.encodingType),
      tag('IsTruncated', result.isTruncated),
      q.has('start-after') ? tag('StartAfter', p.encode(q.get('start-after')!)) : '',
      entries(ctx, result, p, q.get('fetch-owner') === 'true'),
    ),
  );
}

export async function listObjectsV1(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!).name;
  const q = ctx.query;
  const p = listParams(q);
  const marker = q.get('marker') ?? '';
  const result = walkKeys(ctx.store.keys(bucket), {
    prefix: p.prefix,
    delimiter: p.delimiter,
    after: marker,
    maxKeys: p.maxKeys,
  });
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'ListBucketResult',
      tag('Name', bucket),
      tag('Prefix', p.encode(p.prefix)),
      tag('Marker', p.encode(marker)),
      // Only with a delimiter, as S3 does; otherwise clients continue from the last key.
      result.isTruncated && p.delimiter && result.last ? tag('NextMarker', p.encode(result.last)) : '',
      tag('MaxKeys', p.maxKeys),
      p.delimiter ? tag('Delimiter', p.encode(p.delimiter)) : '',
      tag('EncodingType', p.encodingType),
      tag('IsTruncated', result.isTruncated),
      entries(ctx, result, p, true),
    ),
  );
}
