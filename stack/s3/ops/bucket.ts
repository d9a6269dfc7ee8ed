// CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, and the read-only answers AWS
// gives for subresources this server never stores (ACL, versioning, lifecycle).

import { defaultPublicAccessBlock } from '../authz/public-access-block.ts';
import { readSmallBody } from '../body.ts';
import { assertBucketName } from '../bucket-name.ts';
import { S3Error } from '../errors.ts';
import { CANONICAL_ID, ownerXml } from '../owner.ts';
import { header, type RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { block, parseXmlBody, S3_NS, tag, text, xmlDocument } from '../xml.ts';

const GLOBAL_REGION = 'us-east-1';

export async function createBucket(ctx: RequestContext): Promise<void> {
  const name = ctx.bucket!;
  assertBucketName(name);
  const { data } = await readSmallBody(ctx);
  let constraint: string | undefined;
  if (data.length > 0) {
    const root = parseXmlBody(data, 'CreateBucketConfiguration');
    constraint = text(root, 'LocationConstraint');
    if (constraint === '') constraint = undefined;
    // AWS refuses the default region spelled out: us-east-1 is expressed by no constraint.
    if (constraint === GLOBAL_REGION) {
      throw new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', {
        LocationConstraint: constraint,
      });
    }
    if (constraint !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(constraint) && constraint !== 'EU') {
      throw new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', {
        LocationConstraint: constraint,
      });
    }
  }
  const signed = ctx.auth.signedRegion;
  const region = constraint === 'EU' ? 'eu-west-1' : (constraint ?? GLOBAL_REGION);
  // A regional endpoint only creates buckets in its own region; us-east-1 creates anywhere.
  if (signed && signed !== GLOBAL_REGION && signed !== region) {
    throw new S3Error(
      'IllegalLocationConstraintException',
      constraint === undefined
        ? 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.'
        : `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
  const existing = ctx.store.bucket(name);
  if (existing) {
    // Legacy us-east-1 behaviour: re-creating your own bucket there answers 200.
    if (existing.region === GLOBAL_REGION && region === GLOBAL_REGION) {
      sendEmpty(ctx.res, 200, { Location: `/${name}` });
      return;
    }
    throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: name });
  }
  const objectLock = header(ctx, 'x-amz-bucket-object-lock-enabled');
  if (objectLock?.toLowerCase() === 'true') {
    throw new S3Error('NotImplemented', 'Object Lock is not implemented by this server', {
      Header: 'x-amz-bucket-object-lock-enabled',
    });
  }
  const acl = header(ctx, 'x-amz-acl');
  if (acl !== undefined && acl !== 'private') {
    throw new S3Error(
      'InvalidBucketAclWithObjectOwnership',
      "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    );
  }
  await ctx.store.createBucket({
    name,
    region,
    created: Math.floor(ctx.options.storeNow() / 1000) * 1000,
    owner: ctx.auth.identity?.name ?? 'anonymous',
    configs: {
      // New buckets block public access by default, as on AWS since April 2023.
      publicAccessBlock: defaultPublicAccessBlock(),
    },
  });
  sendEmpty(ctx.res, 200, { Location: `/${name}` });
}

export async function headBucket(ctx: RequestContext): Promise<void> {
  const b = ctx.store.requireBucket(ctx.bucket!);
  sendEmpty(ctx.res, 200, { 'x-amz-bucket-region': b.region, 'x-amz-access-point-alias': 'false' });
}

export async function deleteBucket(ctx: RequestContext): Promise<void> {
  await ctx.store.deleteBucket(ctx.bucket!);
  sendEmpty(ctx.res, 204);
}

export async function getBucketLocation(ctx: RequestContext): Promise<void> {
  const b = ctx.store.requireBucket(ctx.bucket!);
  const value = b.region === GLOBAL_REGION ? '' : b.region;
  sendXml(
    ctx.res,
    200,
    `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NS}">${value}</LocationConstraint>`,
  );
}

/** The ACL every object and bucket has under BucketOwnerEnforced: the owner, full control. */
export async function getAcl(ctx: RequestContext): Promise<void> {
  const b = ctx.store.requireBucket(ctx.bucket!);
  if (ctx.key !== undefined && !ctx.store.head(b.name, ctx.key))
    throw new S3Error('NoSuchKey', undefined, { Key: ctx.key });
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'AccessControlPolicy',
      ownerXml(),
      block(
        'AccessControlList',
        `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">${tag('ID', CANONICAL_ID)}${tag('DisplayName', 'root')}</Grantee><Permission>FULL_CONTROL</Permission></Grant>`,
      ),
    ),
  );
}

/** PUT ?acl: only the ACLs equivalent to bucket-owner-enforced are accepted, as AWS does. */
export async function putAcl(ctx: RequestContext): Promise<void> {
  const b = ctx.store.requireBucket(ctx.bucket!);
  if (ctx.key !== undefined && !ctx.store.head(b.name, ctx.key))
    throw new S3Error('NoSuchKey', undefined, { Key: ctx.key });
  const { data } = await readSmallBody(ctx);
  const acl = header(ctx, 'x-amz-acl');
  if (data.length === 0 && (acl === 'private' || acl === 'bucket-owner-full-control')) {
    sendEmpty(ctx.res, 200);
    return;
  }
  throw new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs');
}

export async function getBucketOwnershipControls(ctx: RequestContext): Promise<void> {
  ctx.store.requireBucket(ctx.bucket!);
  sendXml(
    ctx.res,
    200,
    xmlDocument('OwnershipControls', block('Rule', tag('ObjectOwnership', 'BucketOwnerEnforced'))),
  );
}
