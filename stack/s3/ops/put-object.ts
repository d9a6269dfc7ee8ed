// PutObject: the verified body into a blob, then an atomic commit under the key's lock where
// conditional writes (If-None-Match: *, If-Match) are decided.
import { ingestToBlob } from '../body.ts';
import { writeConditionsFrom } from '../conditions.ts';
import { pendingDefaultChecksum } from '../default-checksum.ts';
import type { IngestResult } from '../ingest/types.ts';
import { contentMetaFrom, quotedEtag, tagsFromHeader } from '../object-headers.ts';
import type { RequestContext } from '../request-context.ts';
import { sendEmpty } from '../respond.ts';
import { requestSse, sseHeaders } from '../sse.ts';
import type { StoredChecksum } from '../storage/types.ts';
import { expirationHeaders, writtenVersionHeaders } from '../versioning.ts';
import { commitWritten } from './commit-written.ts';

/** The checksum an object keeps: the one the client declared, else CRC64NVME as S3 computes by default. */
export function objectChecksum(result: IngestResult): StoredChecksum {
  return result.checksum ? { ...result.checksum, type: 'FULL_OBJECT' } : pendingDefaultChecksum();
}

export function checksumResponseHeaders(c: StoredChecksum | undefined): Record<string, string> {
  if (!c) return {};
  return { [`x-amz-checksum-${c.algorithm.toLowerCase()}`]: c.value, 'x-amz-checksum-type': c.type };
}

export async function putObject(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!).name;
  const key = ctx.key!;
  const meta = contentMetaFrom(ctx.req.headers, requestSse(ctx, bucket, ctx.req.headers));
  const tags = tagsFromHeader(ctx.req.headers);
  const conditions = writeConditionsFrom(ctx.req.headers);
  const { blob, result } = await ingestToBlob(ctx);
  const checksum = objectChecksum(result);
  const rec = await commitWritten(ctx, bucket, key, conditions, blob, () => ({
    key,
    size: result.size,
    etag: result.md5Hex,
    lastModified: Math.floor(ctx.options.storeNow() / 1000) * 1000,
    ...meta,
    tags,
    checksum,
    blobs: [blob],
  }));
  sendEmpty(ctx.res, 200, {
    ETag: quotedEtag(rec.etag),
    ...sseHeaders(rec, true),
    ...(result.checksum ? checksumResponseHeaders(checksum) : {}),
    ...writtenVersionHeaders(rec),
    ...expirationHeaders(ctx, bucket, rec),
  });
}
