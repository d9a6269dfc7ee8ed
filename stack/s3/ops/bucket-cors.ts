// Put/Get/DeleteBucketCors and the CORS preflight (OPTIONS, never signature-checked).
import { readSmallBody } from '../body.ts';
import { corsHeaders, matchCorsRule } from '../cors.ts';
import { S3Error } from '../errors.ts';
import { header, type RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import type { CorsRule } from '../storage/types.ts';
import { block, children, parseXmlBody, tag, text, texts, xmlDocument } from '../xml.ts';

const METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);

export function parseCorsXml(data: Buffer): CorsRule[] {
  const root = parseXmlBody(data, 'CORSConfiguration');
  const rules = children(root, 'CORSRule');
  if (rules.length === 0 || rules.length > 100) throw new S3Error('MalformedXML');
  return rules.map((r) => {
    const allowedOrigins = texts(r, 'AllowedOrigin').map((s) => s.trim());
    const allowedMethods = texts(r, 'AllowedMethod').map((s) => s.trim());
    if (!allowedOrigins.length || !allowedMethods.length) throw new S3Error('MalformedXML');
    for (const m of allowedMethods) {
      if (!METHODS.has(m))
        throw new S3Error(
          'InvalidRequest',
          `Found unsupported HTTP method in CORS config. Unsupported method is ${m}`,
        );
    }
    for (const o of allowedOrigins) {
      if (o.split('*').length > 2)
        throw new S3Error('InvalidRequest', `AllowedOrigin "${o}" can not have more than one wildcard.`);
    }
    const allowedHeaders = texts(r, 'AllowedHeader').map((s) => s.trim());
    for (const h of allowedHeaders) {
      if (h.split('*').length > 2)
        throw new S3Error('InvalidRequest', `AllowedHeader "${h}" can not have more than one wildcard.`);
    }
    const maxAge = text(r, 'MaxAgeSeconds');
    if (maxAge !== undefined && !/^\s*-?\d+\s*$/.test(maxAge)) throw new S3Error('MalformedXML');
    const id = text(r, 'ID');
    return {
      ...(id !== undefined ? { id } : {}),
      allowedOrigins,
      allowedMethods,
      allowedHeaders,
      exposeHeaders: texts(r, 'ExposeHeader').map((s) => s.trim()),
      ...(maxAge !== undefined ? { maxAgeSeconds: Number(maxAge) } : {}),
    };
  });
}

export async function putBucketCors(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const { data } = await readSmallBody(ctx, 64 * 1024);
  const rules = parseCorsXml(data);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, cors: rules }));
  sendEmpty(ctx.res, 200);
}

export async function getBucketCors(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const rules = bucket.configs.cors;
  if (!rules) throw new S3Error('NoSuchCORSConfiguration', undefined, { BucketName: bucket.name });
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'CORSConfiguration',
      rules.map((r) =>
        block(
          'CORSRule',
          tag('ID', r.id),
          r.allowedHeaders.map((h) => tag('AllowedHeader', h)),
          r.allowedMethods.map((m) => tag('AllowedMethod', m)),
          r.allowedOrigins.map((o) => tag('AllowedOrigin', o)),
          r.exposeHeaders.map((h) => tag('ExposeHeader', h)),
          tag('MaxAgeSeconds', r.maxAgeSeconds),
        ),
      ),
    ),
  );
}

export async function deleteBucketCors(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, cors: undefined }));
  sendEmpty(ctx.res, 204);
}

/** OPTIONS preflight, answered from the bucket's rules without authentication. */
export async function corsPreflight(ctx: RequestContext): Promise<void> {
  const origin = header(ctx, 'origin');
  const method = header(ctx, 'access-control-request-method');
  if (!origin) throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
  if (!method) throw new S3Error('BadRequest', 'Invalid Access-Control-Request-Method: null');
  const resourceType = ctx.key !== undefined ? 'OBJECT' : 'BUCKET';
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const extra = { Method: method, ResourceType: resourceType };
  if (!bucket.configs.cors)
    throw new S3Error('AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.', extra);
  const requested = (header(ctx, 'access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const rule = matchCorsRule(bucket.configs.cors, origin, method, requested);
  if (!rule) {
    throw new S3Error(
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Requet-Headers are not whitelisted by the resource's CORS spec.",
      extra,
    );
  }
  sendEmpty(
    ctx.res,
    200,
    corsHeaders(
      rule,
      origin,
      requested.map((h) => h.toLowerCase()),
    ),
  );
}
