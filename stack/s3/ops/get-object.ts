// GetObject and HeadObject: conditional reads, one byte range or one part, response-*
// overrides, checksums only on request and never for a partial body.
import { checkReadConditions } from '../conditions.ts';
import { ensureChecksum, isPending } from '../default-checksum.ts';
import { S3Error } from '../errors.ts';
import { addChecksumHeaders, httpDate, objectHeaders, quotedEtag, setPair } from '../object-headers.ts';
import { type ByteRange, parseRange } from '../range.ts';
import { bucketArn, header, type RequestContext } from '../request-context.ts';
import { sendStream } from '../send-stream.ts';
import type { ObjectRecord } from '../storage/types.ts';
import { expirationHeaders, requestedVersion, shownVersionId, versionHeaders } from '../versioning.ts';

const OVERRIDES: [string, string][] = [
  ['response-content-type', 'Content-Type'],
  ['response-content-language', 'Content-Language'],
  ['response-expires', 'Expires'],
  ['response-cache-control', 'Cache-Control'],
  ['response-content-disposition', 'Content-Disposition'],
  ['response-content-encoding', 'Content-Encoding'],
];

/**
 * The object (or the named version), or the error AWS gives: for a missing object 404
 * NoSuchKey only to a caller who may list the bucket, 403 AccessDenied to anyone else (so
 * absence does not leak); 404 NoSuchVersion for an unknown version; a delete marker is a
 * 404 when it is the latest version and a 405 when named, both flagged with its headers.
 */
export async function requireObject(
  ctx: RequestContext,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<ObjectRecord> {
  return findObject(ctx, bucket, key, versionId) ?? missingObject(ctx, bucket, key);
}

/** requireObject's synchronous part: the record, an error, or undefined when only the key is absent. */
function findObject(
  ctx: RequestContext,
  bucket: string,
  key: string,
  versionId: string | undefined,
): ObjectRecord | undefined {
  ctx.store.requireBucket(bucket);
  if (versionId !== undefined) {
    const rec = ctx.store.version(bucket, key, versionId);
    if (!rec) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
    if (rec.deleteMarker) {
      throw new S3Error(
        'MethodNotAllowed',
        undefined,
        { Method: ctx.req.method ?? 'GET', ResourceType: 'DeleteMarker' },
        markerHeaders(rec),
      );
    }
    return rec;
  }
  return ctx.store.head(bucket, key);
}

async function missingObject(ctx: RequestContext, bucket: string, key: string): Promise<never> {
  const mayList = await ctx.authorize('s3:ListBucket', bucketArn(bucket), { 's3:prefix': key }, true);
  if (!mayList.allowed) throw new S3Error('AccessDenied');
  const latest = ctx.store.versions(bucket, key)[0];
  throw new S3Error('NoSuchKey', undefined, { Key: key }, latest?.deleteMarker ? markerHeaders(latest) : {});
}

function markerHeaders(marker: ObjectRecord): Record<string, string> {
  return {
    'x-amz-delete-marker': 'true',
    'x-amz-version-id': shownVersionId(marker),
    'Last-Modified': httpDate(marker.lastModified),
  };
}

function partRange(ctx: RequestContext, rec: ObjectRecord): ByteRange | undefined {
  const raw = ctx.query.get('partNumber');
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 10000) {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber',
      ArgumentValue: raw,
    });
  }
  if (header(ctx, 'range') !== undefined) {
    throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  }
  if (!rec.parts) {
    if (n === 1) return { start: 0, end: rec.size - 1 };
    throw new S3Error('InvalidPartNumber', undefined, { PartNumberRequested: raw, ActualPartCount: '1' });
  }
  let start = 0;
  for (const p of rec.parts) {
    if (p.partNumber === n) return { start, end: start + p.size - 1 };
    start += p.size;
  }
  throw new S3Error('InvalidPartNumber', undefined, {
    PartNumberRequested: raw,
    ActualPartCount: String(rec.parts.length),
  });
}

export async function getObject(ctx: RequestContext): Promise<void> {
  const head = ctx.req.method === 'HEAD';
  const version = requestedVersion(ctx);
  // The record found is used without an await (a read of a present object never waits).
  let rec =
    findObject(ctx, ctx.bucket!, ctx.key!, version) ?? (await missingObject(ctx, ctx.bucket!, ctx.key!));
  const { res } = ctx;

  const overrides = ctx.query.size === 0 ? [] : OVERRIDES.filter(([q]) => ctx.query.has(q));
  if (overrides.length && !ctx.auth.identity) {
    throw new S3Error(
      'InvalidRequest',
      'Request specific response headers cannot be used for anonymous GET requests.',
    );
  }

  const byPart = partRange(ctx, rec);
  const condition = checkReadConditions(ctx.req.headers, rec);
  if (condition === 'not-modified') {
    ctx.settleHeaders();
    res.statusCode = 304;
    res.setHeader('ETag', quotedEtag(rec.etag));
    res.setHeader('Last-Modified', httpDate(rec.lastModified));
    res.end();
    return;
  }
  const range =
    byPart ??
    (rec.size === 0 && !header(ctx, 'range') ? undefined : parseRange(header(ctx, 'range'), rec.size));

  const wholeObject = !range || (byPart !== undefined && !rec.parts);
  if (
    wholeObject &&
    isPending(rec.checksum) &&
    header(ctx, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED'
  ) {
    rec = await ensureChecksum(ctx.store, ctx.bucket!, rec);
  }
  // The response's headers in the order (and with the replacements) of one res.setHeader per
  // header, written by one res.writeHead when nothing set a header before: Node then neither
  // stores nor lower-cases each one.
  const base = ctx.pendingHeaders();
  const own = objectHeaders(rec);
  const h = base === undefined ? own.slice() : base.concat(own);
  const versionId = versionHeaders(ctx, ctx.bucket!, rec, version !== undefined)['x-amz-version-id'];
  if (versionId !== undefined) h.push('x-amz-version-id', versionId);
  // Expiry applies to the current object; a named version gets none (as S3 answers).
  if (version === undefined) {
    const expiration = expirationHeaders(ctx, ctx.bucket!, rec)['x-amz-expiration'];
    if (expiration !== undefined) h.push('x-amz-expiration', expiration);
  }
  for (const [q, name] of overrides) setPair(h, name, ctx.query.get(q)!);
  if (wholeObject) addChecksumHeaders(h, rec, ctx.req.headers);
  if (byPart && rec.parts) setPair(h, 'x-amz-mp-parts-count', String(rec.parts.length));

  let start = 0;
  let end = rec.size - 1;
  let status = 200;
  if (range) {
    start = range.start;
    end = range.end;
    status = 206;
    h.push('Content-Range', `bytes ${start}-${end}/${rec.size}`);
  }
  h.push('Content-Length', String(end - start + 1));
  if (base !== undefined) {
    const { statusCode, statusMessage } = res;
    try {
      res.writeHead(status, h);
    } catch (err) {
      // A value Node refuses (ERR_INVALID_CHAR, as setHeader would have thrown): nothing was
      // written; the error answer gets its own status line, not this one's reason phrase.
      res.statusCode = statusCode;
      res.statusMessage = statusMessage;
      throw err;
    }
  } else {
    for (let i = 0; i < h.length; i += 2) res.setHeader(h[i]!, h[i + 1]!);
    res.statusCode = status;
  }
  if (head || end < start) {
    res.end();
    return;
  }
  const bytes = ctx.store.bytes(rec, start, end);
  if (bytes && bytes.length === end - start + 1) {
    res.end(bytes);
    return;
  }
  await sendStream(ctx.store.read(rec, start, end), res);
}
