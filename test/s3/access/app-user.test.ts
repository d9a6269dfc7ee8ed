// The guide's least-privilege app user (s3:PutObject, s3:GetObject, s3:DeleteObject,
// s3:ListBucket on one bucket) through the AWS SDK, against the policy engine as AWS applies it.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessStack, APP, BUCKET, OTHER_BUCKET, serviceError, startAccessStack } from './harness.ts';

let stack: AccessStack;
beforeAll(async () => {
  stack = await startAccessStack();
  await stack.root.send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }));
  await stack.root.send(new PutObjectCommand({ Bucket: OTHER_BUCKET, Key: 'secret.txt', Body: 'not yours' }));
});
afterAll(() => stack[Symbol.asyncDispose]());

describe('the app user on its own bucket', () => {
  it('puts, heads, gets, lists and deletes objects', async () => {
    const { app, server } = stack;
    await app.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'chat/r1/a.txt',
        Body: 'hello',
        ContentType: 'text/plain',
      }),
    );
    expect((await server.getObject(BUCKET, 'chat/r1/a.txt'))?.body.toString()).toBe('hello');
    expect(
      (await app.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'chat/r1/a.txt' }))).ContentLength,
    ).toBe(5);
    const got = await app.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'chat/r1/a.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');
    const list = await app.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'chat/' }));
    expect(list.Contents?.map((o) => o.Key)).toEqual(['chat/r1/a.txt']);
    await app.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'chat/r1/a.txt' }));
    expect(server.headObject(BUCKET, 'chat/r1/a.txt')).toBeUndefined();
    // With s3:ListBucket a missing key is 404 NoSuchKey, as on AWS.
    const missing = await serviceError(() => app.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'nope' })));
    expect(missing.name).toBe('NoSuchKey');
    const decision = server.decisions({ allowed: true, limit: 1 })[0]!;
    expect(decision).toMatchObject({ principal: APP.arn, action: 's3:ListBucket', operation: 'GetObject' });
    expect(decision.reason).toContain("identity policy 'focusmate-app-policy'");
  });

  it('copies within the bucket but not from a bucket it cannot read', async () => {
    const { app, server } = stack;
    await app.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/src.txt', Body: 'copy me' }));
    await app.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/dst.txt', CopySource: `${BUCKET}/copy/src.txt` }),
    );
    expect((await server.getObject(BUCKET, 'copy/dst.txt'))?.body.toString()).toBe('copy me');

    const denied = await serviceError(() =>
      app.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: 'copy/stolen.txt',
          CopySource: `${OTHER_BUCKET}/secret.txt`,
        }),
      ),
    );
    expect(denied.name).toBe('AccessDenied');
    expect(server.headObject(BUCKET, 'copy/stolen.txt')).toBeUndefined();
    const [why] = server.decisions({ requestId: denied.$metadata.requestId });
    expect(why).toMatchObject({
      allowed: false,
      action: 's3:GetObject',
      resource: `arn:aws:s3:::${OTHER_BUCKET}/secret.txt`,
      operation: 'CopyObject',
    });
  });

  it('runs a multipart upload, but may not abort one (s3:AbortMultipartUpload is not in the policy)', async () => {
    const { app, server } = stack;
    const { UploadId } = await app.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/done.bin' }),
    );
    const part = await app.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: 'mpu/done.bin',
        UploadId,
        PartNumber: 1,
        Body: 'one part',
      }),
    );
    await app.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'mpu/done.bin',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect((await server.getObject(BUCKET, 'mpu/done.bin'))?.body.toString()).toBe('one part');

    const open = await app.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/left.bin' }));
    const abort = await serviceError(() =>
      app.send(
        new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/left.bin', UploadId: open.UploadId }),
      ),
    );
    expect(abort.name).toBe('AccessDenied');
    expect(server.decisions({ requestId: abort.$metadata.requestId })[0]).toMatchObject({
      action: 's3:AbortMultipartUpload',
      allowed: false,
    });
    // Listing parts and uploads are their own actions too.
    for (const run of [
      () => app.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'mpu/left.bin', UploadId: open.UploadId })),
      () => app.send(new ListMultipartUploadsCommand({ Bucket: BUCKET })),
    ]) {
      expect((await serviceError(run)).name).toBe('AccessDenied');
    }
    // The upload is still there for root to clean up.
    await stack.root.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/left.bin', UploadId: open.UploadId }),
    );
  });
});

describe('what the app user is denied', () => {
  it("ListBuckets, even as the guide's connection check: no statement allows s3:ListAllMyBuckets", async () => {
    const e = await serviceError(() => stack.app.send(new ListBucketsCommand({})));
    expect(e.name).toBe('AccessDenied');
    expect(e.$metadata.httpStatusCode).toBe(403);
    const [decision] = stack.server.decisions({ requestId: e.$metadata.requestId });
    expect(decision).toMatchObject({
      principal: APP.arn,
      operation: 'ListBuckets',
      action: 's3:ListAllMyBuckets',
      resource: '*',
      allowed: false,
      decidedBy: { policy: 'default' },
    });
    expect(decision!.reason).toMatch(/no statement .* allows s3:ListAllMyBuckets/);
    // The request log carries the same decision.
    const entry = stack.server.requests().find((r) => r.id === e.$metadata.requestId);
    expect(entry).toMatchObject({ operation: 'ListBuckets', status: 403, errorCode: 'AccessDenied' });
    expect(entry!.decisions[0]).toMatchObject({ action: 's3:ListAllMyBuckets', allowed: false });
  });

  it('another bucket of the account', async () => {
    const { app, server } = stack;
    for (const run of [
      () => app.send(new GetObjectCommand({ Bucket: OTHER_BUCKET, Key: 'secret.txt' })),
      () => app.send(new PutObjectCommand({ Bucket: OTHER_BUCKET, Key: 'mine.txt', Body: 'x' })),
      () => app.send(new ListObjectsV2Command({ Bucket: OTHER_BUCKET })),
      () => app.send(new DeleteObjectCommand({ Bucket: OTHER_BUCKET, Key: 'secret.txt' })),
    ]) {
      const e = await serviceError(run);
      expect(e.name).toBe('AccessDenied');
    }
    expect(server.headObject(OTHER_BUCKET, 'secret.txt')).toBeDefined();
    expect(server.headObject(OTHER_BUCKET, 'mine.txt')).toBeUndefined();
    // A bucket that does not exist at all is NoSuchBucket to everyone, before any policy.
    const none = await serviceError(() =>
      app.send(new GetObjectCommand({ Bucket: 'no-such-bucket-here', Key: 'k' })),
    );
    expect(none.name).toBe('NoSuchBucket');
  });

  it('reading or changing the bucket policy', async () => {
    const { app, policies } = stack;
    expect((await serviceError(() => app.send(new GetBucketPolicyCommand({ Bucket: BUCKET })))).name).toBe(
      'AccessDenied',
    );
    const put = await serviceError(() =>
      app.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policies.bucketPolicyJson })),
    );
    expect(put.name).toBe('AccessDenied');
    expect(stack.server.decisions({ requestId: put.$metadata.requestId })[0]).toMatchObject({
      action: 's3:PutBucketPolicy',
      resource: `arn:aws:s3:::${BUCKET}`,
    });
  });

  it('DeleteObjects reports AccessDenied per key where a Deny statement protects a prefix', async () => {
    const { app, root, server, policies } = stack;
    const doc = JSON.parse(policies.bucketPolicyJson!);
    doc.Statement.push({
      Sid: 'KeepAuditTrail',
      Effect: 'Deny',
      Principal: { AWS: APP.arn },
      Action: 's3:DeleteObject',
      Resource: `arn:aws:s3:::${BUCKET}/audit/*`,
    });
    await root.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(doc) }));
    try {
      for (const key of ['audit/1.log', 'tmp/1.txt', 'tmp/2.txt']) {
        await app.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
      }
      const result = await app.send(
        new DeleteObjectsCommand({
          Bucket: BUCKET,
          Delete: { Objects: [{ Key: 'tmp/1.txt' }, { Key: 'audit/1.log' }, { Key: 'tmp/2.txt' }] },
        }),
      );
      expect(result.Deleted?.map((d) => d.Key)).toEqual(['tmp/1.txt', 'tmp/2.txt']);
      expect(result.Errors).toEqual([{ Key: 'audit/1.log', Code: 'AccessDenied', Message: 'Access Denied' }]);
      expect(server.headObject(BUCKET, 'audit/1.log')).toBeDefined();
      const denied = server.decisions({ requestId: result.$metadata.requestId, allowed: false });
      expect(denied).toHaveLength(1);
      expect(denied[0]!.decidedBy).toMatchObject({ policy: 'bucket', sid: 'KeepAuditTrail' });
      expect(denied[0]!.reason).toContain('explicit Deny');
    } finally {
      await root.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policies.bucketPolicyJson }));
    }
  });
});
