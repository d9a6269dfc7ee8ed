// Put/Get/DeletePublicAccessBlock and Put/Get/DeleteBucketTagging.
import { readSmallBody } from '../body.ts';
import { S3Error } from '../errors.ts';
import type { RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import type { PublicAccessBlock } from '../storage/types.ts';
import { parseTaggingXml, taggingXml } from '../tags.ts';
import { parseXmlBody, tag, text, xmlDocument } from '../xml.ts';

const FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

export async function putPublicAccessBlock(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const { data } = await readSmallBody(ctx, 64 * 1024);
  const root = parseXmlBody(data, 'PublicAccessBlockConfiguration');
  const pab = {} as PublicAccessBlock;
  for (const f of FLAGS) {
    const v = text(root, f)?.trim().toLowerCase();
    if (v !== undefined && v !== 'true' && v !== 'false') throw new S3Error('MalformedXML');
    pab[f] = v === 'true';
  }
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, publicAccessBlock: pab }));
  sendEmpty(ctx.res, 200);
}

export async function getPublicAccessBlock(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const pab = bucket.configs.publicAccessBlock;
  if (!pab) throw new S3Error('NoSuchPublicAccessBlockConfiguration', undefined, { BucketName: bucket.name });
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'PublicAccessBlockConfiguration',
      FLAGS.map((f) => tag(f, pab[f])),
    ),
  );
}

export async function deletePublicAccessBlock(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, publicAccessBlock: undefined }));
  sendEmpty(ctx.res, 204);
}

export async function putBucketTagging(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const { data } = await readSmallBody(ctx, 64 * 1024);
  const tags = parseTaggingXml(parseXmlBody(data, 'Tagging'), 50);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, tagging: tags }));
  sendEmpty(ctx.res, 204);
}

export async function getBucketTagging(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const tags = bucket.configs.tagging;
  if (!tags) throw new S3Error('NoSuchTagSet', undefined, { BucketName: bucket.name });
  sendXml(ctx.res, 200, xmlDocument('Tagging', taggingXml(tags)));
}

export async function deleteBucketTagging(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, tagging: undefined }));
  sendEmpty(ctx.res, 204);
}
