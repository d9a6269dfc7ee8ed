// Put/Get/DeleteBucketCors and the CORS preflight (OPTIONS, never signature-checked), with the
// access-control engine's parser, matcher and S3's wording.
import { corsToXml, evaluatePreflight, parseCorsXml } from '../authz/cors.ts';
import { readSmallBody } from '../body.ts';
import { S3Error } from '../errors.ts';
import { header, type RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';

export async function putBucketCors(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const { data } = await readSmallBody(ctx, 64 * 1024);
  const rules = parseCorsXml(data.toString('utf8'));
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, cors: rules }));
  sendEmpty(ctx.res, 200);
}

export async function getBucketCors(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const rules = bucket.configs.cors;
  if (!rules) throw new S3Error('NoSuchCORSConfiguration', undefined, { BucketName: bucket.name });
  sendXml(ctx.res, 200, corsToXml(rules));
}

export async function deleteBucketCors(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, cors: undefined }));
  sendEmpty(ctx.res, 204);
}

/** OPTIONS preflight, answered from the bucket's rules without authentication. */
export async function corsPreflight(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const outcome = evaluatePreflight(bucket.configs.cors, {
    origin: header(ctx, 'origin'),
    method: header(ctx, 'access-control-request-method'),
    requestHeaders: header(ctx, 'access-control-request-headers'),
    resourceType: ctx.key !== undefined ? 'OBJECT' : 'BUCKET',
  });
  if (!outcome.ok) throw new S3Error(outcome.code, outcome.message, outcome.extra);
  sendEmpty(ctx.res, 200, outcome.headers);
}
