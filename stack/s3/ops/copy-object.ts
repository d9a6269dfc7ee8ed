// CopyObject: GetObject on the source and PutObject on the destination are both authorized;
// COPY/REPLACE directives for metadata and tags; conditional copy headers.

import { drainBody } from '../body.ts';
import { checkReadConditions, writeConditionsFrom } from '../conditions.ts';
import { copyBytes } from '../copy-bytes.ts';
import {
  authorizeCopySource,
  copySourceVersionHeaders,
  parseCopySource,
  requireCopySource,
} from '../copy-source.ts';
import { S3Error } from '../errors.ts';
import { parseChecksumAlgorithm } from '../ingest/checksum.ts';
import { contentMetaFrom, quotedEtag, tagsFromHeader } from '../object-headers.ts';
import { FIVE_GIB } from '../options.ts';
import { header, objectArn, type RequestContext } from '../request-context.ts';
import { sendXml } from '../respond.ts';
import { requestSse, sseHeaders } from '../sse.ts';
import { writtenVersionHeaders } from '../versioning.ts';
import { isoDate, tag, xmlDocument } from '../xml.ts';
import { commitWritten } from './commit-written.ts';
import { requestTagConditions } from './tag-conditions.ts';

function directive(ctx: RequestContext, name: string): 'COPY' | 'REPLACE' {
  const v = header(ctx, name);
  if (v === undefined || v === 'COPY') return 'COPY';
  if (v === 'REPLACE') return 'REPLACE';
  throw new S3Error(
    'InvalidArgument',
    `Unknown ${name === 'x-amz-metadata-directive' ? 'metadata' : 'tagging'} directive.`,
    {
      ArgumentName: name,
      ArgumentValue: v,
    },
  );
}

export async function copyObject(ctx: RequestContext): Promise<void> {
  const src = parseCopySource(ctx);
  const bucket = ctx.store.requireBucket(ctx.bucket!).name;
  const key = ctx.key!;
  await authorizeCopySource(ctx, src);
  await ctx.authorize('s3:PutObject', objectArn(bucket, key), requestTagConditions(ctx));
  await drainBody(ctx);
  const source = await requireCopySource(ctx, src);
  checkReadConditions(ctx.req.headers, source, 'x-amz-copy-source-');
  if (source.size > FIVE_GIB) {
    throw new S3Error(
      'InvalidRequest',
      `The specified copy source is larger than the maximum allowable size for a copy source: ${FIVE_GIB}`,
    );
  }
  const metaDirective = directive(ctx, 'x-amz-metadata-directive');
  const tagDirective = directive(ctx, 'x-amz-tagging-directive');
  const requested = contentMetaFrom(ctx.req.headers, requestSse(ctx, bucket, ctx.req.headers));
  // Copying an older version onto its own key is how a version is restored: not "to itself".
  const sameObject = src.bucket === bucket && src.key === key && source === ctx.store.head(bucket, key);
  const changesStorage =
    header(ctx, 'x-amz-storage-class') !== undefined && requested.storageClass !== source.storageClass;
  const changesSse = header(ctx, 'x-amz-server-side-encryption') !== undefined;
  const changesRedirect = header(ctx, 'x-amz-website-redirect-location') !== undefined;
  if (sameObject && metaDirective === 'COPY' && !changesStorage && !changesSse && !changesRedirect) {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const meta =
    metaDirective === 'REPLACE'
      ? requested
      : {
          contentType: source.contentType,
          contentEncoding: source.contentEncoding,
          contentDisposition: source.contentDisposition,
          contentLanguage: source.contentLanguage,
          cacheControl: source.cacheControl,
          expires: source.expires,
          userMeta: source.userMeta,
          storageClass: header(ctx, 'x-amz-storage-class') ? requested.storageClass : source.storageClass,
          sse: requested.sse,
          sseKmsKeyId: requested.sseKmsKeyId,
          bucketKeyEnabled: requested.bucketKeyEnabled,
          sseContext: requested.sseContext,
        };
  const tags = tagDirective === 'REPLACE' ? tagsFromHeader(ctx.req.headers) : source.tags;
  const algorithm =
    parseChecksumAlgorithm(header(ctx, 'x-amz-checksum-algorithm')) ??
    source.checksum?.algorithm ??
    'CRC64NVME';
  const conditions = writeConditionsFrom(ctx.req.headers);
  const copied = await copyBytes(ctx.store, source, 0, source.size - 1, algorithm);
  const now = Math.floor(ctx.options.storeNow() / 1000) * 1000;
  const rec = await commitWritten(ctx, bucket, key, conditions, copied.blob, () => ({
    key,
    size: source.size,
    etag: copied.md5Hex,
    lastModified: now,
    ...meta,
    tags,
    checksum: { algorithm, value: copied.checksum, type: 'FULL_OBJECT' },
    blobs: [copied.blob],
  }));
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'CopyObjectResult',
      tag('ETag', quotedEtag(rec.etag)),
      tag('LastModified', isoDate(rec.lastModified)),
      tag('ChecksumType', 'FULL_OBJECT'),
      tag(`Checksum${algorithm}`, copied.checksum),
    ),
    {
      ...sseHeaders(rec, true),
      ...writtenVersionHeaders(rec),
      ...copySourceVersionHeaders(ctx, src, source),
    },
  );
}
