// Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus.
import { readSmallBody } from '../body.ts';
import { S3Error } from '../errors.ts';
import { isPublicPolicy } from '../policy-public.ts';
import { bucketArn, type RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { tag, xmlDocument } from '../xml.ts';

/** What the server checks when no policy validator is plugged in: a JSON object. */
export function defaultValidatePolicy(json: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new S3Error('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'");
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new S3Error('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'");
  }
}

export async function putBucketPolicy(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const { data } = await readSmallBody(ctx, 20 * 1024);
  const json = data.toString('utf8');
  if (json.trim() === '')
    throw new S3Error('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'");
  ctx.options.validatePolicy(json, bucket.name);
  if (bucket.configs.publicAccessBlock?.BlockPublicPolicy && isPublicPolicy(json)) {
    const who = ctx.auth.identity?.arn ?? 'anonymous';
    throw new S3Error(
      'AccessDenied',
      `User: ${who} is not authorized to perform: s3:PutBucketPolicy on resource: "${bucketArn(bucket.name)}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    );
  }
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
  const policy = bucket.configs.policy;
  if (policy === undefined) throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: bucket.name });
  sendXml(ctx.res, 200, xmlDocument('PolicyStatus', tag('IsPublic', isPublicPolicy(policy))));
}
