// Put/Get/DeletePublicAccessBlock and Put/Get/DeleteBucketTagging.
import { parsePublicAccessBlockXml, publicAccessBlockToXml } from '../authz/public-access-block.ts';
import { readSmallBody } from '../body.ts';
import { S3Error } from '../errors.ts';
import type { RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { parseTaggingXml, taggingXml } from '../tags.ts';
import { parseXmlBody, xmlDocument } from '../xml.ts';

export async function putPublicAccessBlock(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const { data } = await readSmallBody(ctx, 64 * 1024);
  const flags = parsePublicAccessBlockXml(data.toString('utf8'));
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, publicAccessBlock: flags }));
  sendEmpty(ctx.res, 200);
}

export async function getPublicAccessBlock(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const flags = bucket.configs.publicAccessBlock;
  if (!flags)
    throw new S3Error('NoSuchPublicAccessBlockConfiguration', undefined, { BucketName: bucket.name });
  sendXml(ctx.res, 200, publicAccessBlockToXml(flags));
}

/** Without a configuration nothing is blocked (a public policy may then be put and applies). */
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
