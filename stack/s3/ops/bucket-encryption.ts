// Put/Get/DeleteBucketEncryption: the bucket's default encryption rule. Without one a bucket
// answers SSE-S3, as every AWS bucket does since January 2023; Delete resets to that.
import { readSmallBody } from '../body.ts';
import { S3Error } from '../errors.ts';
import type { RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { type BucketEncryption, SSE_ALGORITHMS, type SseAlgorithm } from '../sse.ts';
import { block, children, parseXmlBody, tag, text, xmlDocument } from '../xml.ts';

const SSE_S3_DEFAULT: BucketEncryption = { algorithm: 'AES256', bucketKeyEnabled: false };

export function parseEncryptionXml(data: Buffer): BucketEncryption {
  const root = parseXmlBody(data, 'ServerSideEncryptionConfiguration');
  const rules = children(root, 'Rule');
  if (rules.length !== 1) throw new S3Error('MalformedXML');
  const rule = rules[0]!;
  const byDefault = children(rule, 'ApplyServerSideEncryptionByDefault');
  if (byDefault.length !== 1) throw new S3Error('MalformedXML');
  const algorithm = text(byDefault[0], 'SSEAlgorithm');
  // The schema enumerates the algorithms, so anything else does not validate.
  if (!SSE_ALGORITHMS.includes(algorithm as SseAlgorithm)) throw new S3Error('MalformedXML');
  const keyId = text(byDefault[0], 'KMSMasterKeyID');
  if (keyId !== undefined && algorithm === 'AES256') {
    throw new S3Error(
      'InvalidArgument',
      'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      { ArgumentName: 'ApplyServerSideEncryptionByDefault' },
    );
  }
  const bucketKey = text(rule, 'BucketKeyEnabled');
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false')
    throw new S3Error('MalformedXML');
  return {
    algorithm: algorithm as SseAlgorithm,
    ...(keyId ? { kmsMasterKeyId: keyId } : {}),
    bucketKeyEnabled: bucketKey === 'true',
  };
}

export async function putBucketEncryption(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const { data } = await readSmallBody(ctx, 64 * 1024);
  const encryption = parseEncryptionXml(data);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, encryption }));
  sendEmpty(ctx.res, 200);
}

export async function getBucketEncryption(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const e = bucket.configs.encryption ?? SSE_S3_DEFAULT;
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'ServerSideEncryptionConfiguration',
      block(
        'Rule',
        block(
          'ApplyServerSideEncryptionByDefault',
          tag('SSEAlgorithm', e.algorithm),
          e.kmsMasterKeyId ? tag('KMSMasterKeyID', e.kmsMasterKeyId) : '',
        ),
        tag('BucketKeyEnabled', String(e.bucketKeyEnabled)),
      ),
    ),
  );
}

export async function deleteBucketEncryption(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, encryption: undefined }));
  sendEmpty(ctx.res, 204);
}
