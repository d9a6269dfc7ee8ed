// Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus. The policy is validated as S3 validates
// it (MalformedPolicy with S3's wording; AccessDenied for a public policy while
// BlockPublicPolicy is on) and stored as the text that was put, which GetBucketPolicy returns.
import { MAX_BUCKET_POLICY_BYTES } from '../authz/policy-parse.ts';
import { getPolicyStatus, policyStatusToXml } from '../authz/public-policy.ts';
import { validatePolicyForPut } from '../authz/put-bucket-policy.ts';
import { readSmallBody } from '../body.ts';
import { S3Error } from '../errors.ts';
import type { RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';

// Whitespace does not count against AWS's 20 KB limit, so the body may be larger than that.
const MAX_POLICY_BODY = 4 * MAX_BUCKET_POLICY_BYTES;

export async function putBucketPolicy(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const { data } = await readSmallBody(ctx, MAX_POLICY_BODY);
  const json = data.toString('utf8');
  validatePolicyForPut(json, bucket.name, bucket.configs.publicAccessBlock, {
    callerArn: ctx.auth.identity?.arn,
  });
  ctx.options.validatePolicy?.(json, bucket.name);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, policy: json }));
  sendEmpty(ctx.res, 204);
}

export async function getBucketPolicy(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const policy = bucket.configs.policy;
  if (policy === undefined) throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: bucket.name });
  const buf = Buffer.from(policy, 'utf8');
  ctx.res.statusCode = 200;
  ctx.res.setHeader('Content-Type', 'application/json');
  ctx.res.setHeader('Content-Length', buf.length);
  ctx.res.end(buf);
}

export async function deleteBucketPolicy(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, policy: undefined }));
  sendEmpty(ctx.res, 204);
}

export async function getBucketPolicyStatus(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  if (bucket.configs.policy === undefined)
    throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: bucket.name });
  sendXml(ctx.res, 200, policyStatusToXml(getPolicyStatus(ctx.access.bucketPolicy(bucket.name))));
}
