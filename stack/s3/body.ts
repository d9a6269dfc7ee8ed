// Request bodies through the verified ingest pipeline: object bytes to the store, small
// XML/JSON documents to memory.

import { S3Error } from './errors.ts';
import { sendContinue } from './expect-continue.ts';
import { ingest } from './ingest/index.ts';
import type { ChecksumAlgorithm, IngestResult } from './ingest/types.ts';
import { FIVE_GIB } from './options.ts';
import { header, type RequestContext } from './request-context.ts';
import type { BlobRef } from './storage/types.ts';

/** Declared decoded length, or undefined when the client sent none. */
export function declaredLength(ctx: RequestContext): number | undefined {
  const decoded = header(ctx, 'x-amz-decoded-content-length');
  const raw = decoded ?? header(ctx, 'content-length');
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw))
    throw new S3Error('InvalidArgument', 'Content-Length must be a non-negative integer', {
      ArgumentName: 'Content-Length',
      ArgumentValue: raw,
    });
  return Number(raw);
}

/** Uploads need a length (AWS refuses plain chunked transfer); too large is refused before reading. */
export function requireUploadLength(ctx: RequestContext, max: number): number {
  const len = declaredLength(ctx);
  if (len === undefined) throw new S3Error('MissingContentLength');
  if (len > max) {
    throw new S3Error('EntityTooLarge', undefined, {
      ProposedSize: String(len),
      MaxSizeAllowed: String(max),
    });
  }
  return len;
}

export function maxUpload(ctx: RequestContext): number {
  return Math.min(ctx.options.maxObjectSize, FIVE_GIB);
}

/** Streams the verified body into a blob; the blob exists only if every check passed. */
export async function ingestToBlob(
  ctx: RequestContext,
  extraAlgorithm?: ChecksumAlgorithm,
): Promise<{ blob: BlobRef; result: IngestResult }> {
  const max = maxUpload(ctx);
  const declared = requireUploadLength(ctx, max);
  sendContinue(ctx.req, ctx.res);
  const pipe = ingest(ctx.req, { auth: ctx.auth, headers: ctx.req.headers, maxBytes: max, extraAlgorithm });
  const blob = await ctx.store.writeBlob(pipe.body, declared);
  return { blob, result: pipe.result() };
}

/** A small request document (XML or JSON), verified like any body, bounded in size. */
export async function readSmallBody(
  ctx: RequestContext,
  limit = 1024 * 1024,
): Promise<{ data: Buffer; result: IngestResult }> {
  const len = declaredLength(ctx);
  if (len !== undefined && len > limit)
    throw new S3Error('MaxMessageLengthExceeded', undefined, { MaxMessageLengthBytes: String(limit) });
  sendContinue(ctx.req, ctx.res);
  const pipe = ingest(ctx.req, { auth: ctx.auth, headers: ctx.req.headers, maxBytes: limit });
  const chunks: Buffer[] = [];
  for await (const chunk of pipe.body) chunks.push(chunk as Buffer);
  return { data: Buffer.concat(chunks), result: pipe.result() };
}

/** Operations that take no body: drain whatever came, through ingest so its checks still apply. */
export async function drainBody(ctx: RequestContext): Promise<void> {
  await readSmallBody(ctx, 64 * 1024);
}
