// POST Object: a browser form upload to `POST /{bucket}`. The form module verifies the fields and
// the SigV4 POST policy and streams the file; here the form's signer is authorized for
// s3:PutObject on the key before a byte is stored, and the file goes through the same commit as
// PutObject (MD5 ETag, Content-MD5 / checksum fields verified, metadata, tags, per-key lock,
// events) only once it has ended within every limit.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { maxUpload } from '../body.ts';
import { sendContinue } from '../expect-continue.ts';
import type { Identity } from '../identity.ts';
import { ingest } from '../ingest/index.ts';
import type { AuthContext } from '../ingest/types.ts';
import { contentMetaFrom, tagsFromHeader } from '../object-headers.ts';
import { handlePostObject, type PostObjectInput } from '../post-object/index.ts';
import { POST_AUTH_TYPE, requestConditions } from '../request-conditions.ts';
import { objectArn, type RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { requestSse } from '../sse.ts';
import { objectChecksum } from './put-object.ts';
import { tagConditions } from './tag-conditions.ts';

/** What PutObject would have received as headers, from the form's verified fields. */
function objectHeaders(input: PostObjectInput): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = { ...input.headers };
  if (input.contentType !== undefined) headers['content-type'] = input.contentType;
  for (const [name, value] of Object.entries(input.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

function formAuth(identity: Identity | null): AuthContext {
  return identity
    ? { identity, via: 'header', payload: 'unsigned', signedHeaders: [] }
    : { identity: null, via: 'anonymous', payload: 'anonymous', signedHeaders: [] };
}

/** The URL the client addressed the bucket by: path style `/bucket`, or its virtual host. */
function bucketUrl(ctx: RequestContext, bucket: string): string {
  const scheme = ctx.options.tls ? 'https' : 'http';
  const host = ctx.req.headers.host ?? `${ctx.options.host}:${ctx.req.socket.localPort}`;
  const path = (ctx.req.url ?? '/').split('?')[0]!;
  return path === '/' || path === '' ? `${scheme}://${host}` : `${scheme}://${host}/${bucket}`;
}

export async function postObject(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  sendContinue(ctx.req, ctx.res);
  const result = await handlePostObject(
    {
      bucket: bucket.name,
      headers: ctx.req.headers,
      body: ctx.req,
      now: ctx.options.now(),
      maxBytes: maxUpload(ctx),
      region: bucket.region,
      bucketUrl: bucketUrl(ctx, bucket.name),
    },
    {
      lookup: (accessKeyId) => ctx.access.identities.lookup(accessKeyId),
      async authorize(input) {
        // From here on the request is the form's signer's (or anonymous), as S3 sees it.
        ctx.auth = formAuth(input.identity);
        const headers = objectHeaders(input);
        ctx.conditions = requestConditions(ctx.req, ctx.auth, ctx.options.now(), headers, POST_AUTH_TYPE);
        ctx.log.principal = input.identity?.name ?? null;
        ctx.log.key = input.key;
        let tags: Record<string, string | string[]> = {};
        try {
          tags = tagConditions(tagsFromHeader(headers));
        } catch {
          // Invalid tags are refused when the object is stored, after authorization.
        }
        await ctx.authorize('s3:PutObject', objectArn(bucket.name, input.key), tags);
      },
      store: (input) => storeFormFile(ctx, bucket.name, input),
    },
  );
  if (result.body !== '') sendXml(ctx.res, result.status, result.body, result.headers);
  else sendEmpty(ctx.res, result.status, result.headers);
}

async function storeFormFile(
  ctx: RequestContext,
  bucket: string,
  input: PostObjectInput & { body: Readable; identity: Identity | null },
): Promise<{ etag: string; size: number; versionId?: string }> {
  const headers = objectHeaders(input);
  const meta = contentMetaFrom(headers, requestSse(ctx, bucket, headers));
  const tags = tagsFromHeader(headers);
  // The form's Content-MD5 and x-amz-checksum-* fields are verified like PutObject's headers;
  // the size limits are the form module's (content-length-range and the server's cap).
  const pipe = ingest(input.body, {
    auth: { identity: input.identity, via: 'header', payload: 'unsigned', signedHeaders: [] },
    headers,
    maxBytes: Number.MAX_SAFE_INTEGER,
  });
  const blob = await ctx.store.writeBlob(pipe.body);
  const result = pipe.result();
  try {
    const rec = await ctx.store.commitObject(bucket, input.key, () => ({
      key: input.key,
      size: result.size,
      etag: result.md5Hex,
      lastModified: Math.floor(ctx.options.storeNow() / 1000) * 1000,
      ...meta,
      tags,
      checksum: objectChecksum(result),
      blobs: [blob],
    }));
    return { etag: rec.etag, size: rec.size, versionId: rec.versionId };
  } catch (err) {
    await ctx.store.discardBlob(blob);
    throw err;
  }
}
