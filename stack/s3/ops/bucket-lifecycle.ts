// Put/Get/DeleteBucketLifecycleConfiguration: the rules are validated as S3 validates them
// and kept with the bucket; the lifecycle runner applies them.
import { readSmallBody } from '../body.ts';
import { S3Error } from '../errors.ts';
import { parseLifecycleConfiguration, renderLifecycleConfiguration } from '../lifecycle/index.ts';
import type { RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { hasIntegrityHeader } from './delete-objects.ts';

export async function putBucketLifecycle(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  if (!hasIntegrityHeader(ctx)) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
  }
  const { data } = await readSmallBody(ctx, 512 * 1024);
  const rules = parseLifecycleConfiguration(data.toString('utf8'));
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, lifecycle: rules }));
  // S3 answers with the minimum size it applies to transitions; nothing here transitions.
  sendEmpty(ctx.res, 200, { 'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K' });
}

export async function getBucketLifecycle(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const rules = bucket.configs.lifecycle;
  if (!rules) throw new S3Error('NoSuchLifecycleConfiguration', undefined, { BucketName: bucket.name });
  sendXml(ctx.res, 200, renderLifecycleConfiguration(rules), {
    'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K',
  });
}

export async function deleteBucketLifecycle(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, lifecycle: undefined }));
  sendEmpty(ctx.res, 204);
}
