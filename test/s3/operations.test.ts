// Operations beyond the shared contract: UploadPartCopy with ranges, ListMultipartUploads
// paging, conditional Complete, GetObjectAttributes, bucket subresources, ListBuckets paging.
import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { s3Error } from '../contract/s3-contract.ts';
import { client, ROOT } from './fixtures.ts';

let srv: S3Server;
let s3: S3Client;

beforeAll(async () => {
  srv = await startS3Server({ identities: [ROOT] });
  s3 = client(srv.url);
  await s3.send(new CreateBucketCommand({ Bucket: 'ops' }));
});

afterAll(async () => {
  s3?.destroy();
  await srv?.stop();
});

describe('multipart extras', () => {
  it('builds an object from ranges of another with UploadPartCopy', async () => {
    const src = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < src.length; i++) src[i] = i % 251;
    await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: 'src.bin', Body: src }));
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'ops', Key: 'assembled.bin' }),
    );
    const first = 5 * 1024 * 1024;
    const c1 = await s3.send(
      new UploadPartCopyCommand({
        Bucket: 'ops',
        Key: 'assembled.bin',
        UploadId,
        PartNumber: 1,
        CopySource: 'ops/src.bin',
        CopySourceRange: `bytes=0-${first - 1}`,
      }),
    );
    const c2 = await s3.send(
      new UploadPartCopyCommand({
        Bucket: 'ops',
        Key: 'assembled.bin',
        UploadId,
        PartNumber: 2,
        CopySource: 'ops/src.bin',
        CopySourceRange: 'bytes=100-199',
      }),
    );
    expect(c2.CopyPartResult?.ETag).toBe(
      `"${createHash('md5').update(src.subarray(100, 200)).digest('hex')}"`,
    );
    const bad = await s3Error(() =>
      s3.send(
        new UploadPartCopyCommand({
          Bucket: 'ops',
          Key: 'assembled.bin',
          UploadId,
          PartNumber: 3,
          CopySource: 'ops/src.bin',
          CopySourceRange: `bytes=0-${src.length}`,
        }),
      ),
    );
    expect(bad.name).toBe('InvalidArgument');
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'ops',
        Key: 'assembled.bin',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: c1.CopyPartResult?.ETag },
            { PartNumber: 2, ETag: c2.CopyPartResult?.ETag },
          ],
        },
      }),
    );
    const got = (await srv.getObject('ops', 'assembled.bin'))!.body;
    expect(got.equals(Buffer.concat([src.subarray(0, first), src.subarray(100, 200)]))).toBe(true);
    const attrs = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: 'ops',
        Key: 'assembled.bin',
        ObjectAttributes: ['ETag', 'ObjectSize', 'ObjectParts', 'StorageClass'],
      }),
    );
    expect(attrs.ObjectSize).toBe(first + 100);
    expect(attrs.ETag).toMatch(/^[0-9a-f]{32}-2$/);
    expect(attrs.ObjectParts?.TotalPartsCount).toBe(2);
    expect(attrs.StorageClass).toBe('STANDARD');
  });

  it('pages ListMultipartUploads by key and upload-id markers, with a delimiter', async () => {
    const ids: string[] = [];
    for (const key of ['u/a', 'u/a', 'u/b', 'u/dir/x', 'u/dir/y']) {
      ids.push((await s3.send(new CreateMultipartUploadCommand({ Bucket: 'ops', Key: key }))).UploadId!);
    }
    const p1 = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'ops', Prefix: 'u/', MaxUploads: 2 }));
    expect(p1.Uploads?.map((u) => u.Key)).toEqual(['u/a', 'u/a']);
    expect(p1.IsTruncated).toBe(true);
    const p2 = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: 'ops',
        Prefix: 'u/',
        KeyMarker: p1.NextKeyMarker,
        UploadIdMarker: p1.NextUploadIdMarker,
      }),
    );
    expect(p2.Uploads?.map((u) => u.Key)).toEqual(['u/b', 'u/dir/x', 'u/dir/y']);
    const d = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'ops', Prefix: 'u/', Delimiter: '/' }));
    expect(d.Uploads?.map((u) => u.Key)).toEqual(['u/a', 'u/a', 'u/b']);
    expect(d.CommonPrefixes?.map((c) => c.Prefix)).toEqual(['u/dir/']);
  });

  it('applies If-None-Match and If-Match to CompleteMultipartUpload', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: 'cmu', Body: 'existing' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'ops', Key: 'cmu' }));
    const p = await s3.send(
      new UploadPartCommand({ Bucket: 'ops', Key: 'cmu', UploadId, PartNumber: 1, Body: 'new' }),
    );
    const parts = { Parts: [{ PartNumber: 1, ETag: p.ETag }] };
    const exists = await s3Error(() =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'ops',
          Key: 'cmu',
          UploadId,
          MultipartUpload: parts,
          IfNoneMatch: '*',
        }),
      ),
    );
    expect(exists.name).toBe('PreconditionFailed');
    const current = await s3.send(new GetObjectCommand({ Bucket: 'ops', Key: 'cmu' }));
    await current.Body!.transformToString();
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'ops',
        Key: 'cmu',
        UploadId,
        MultipartUpload: parts,
        IfMatch: current.ETag,
      }),
    );
    expect((await srv.getObject('ops', 'cmu'))?.body.toString()).toBe('new');
  });
});

describe('bucket subresources', () => {
  it('puts, gets and deletes tagging, public access block and policy', async () => {
    await s3.send(
      new PutBucketTaggingCommand({ Bucket: 'ops', Tagging: { TagSet: [{ Key: 'env', Value: 'dev' }] } }),
    );
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: 'ops' }))).TagSet).toEqual([
      { Key: 'env', Value: 'dev' },
    ]);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: 'ops' }));
    expect((await s3Error(() => s3.send(new GetBucketTaggingCommand({ Bucket: 'ops' })))).name).toBe(
      'NoSuchTagSet',
    );

    // New buckets block public access, as on AWS since 2023.
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'ops' }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'ops',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      }),
    );
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PublicProfiles',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::ops/profiles/*',
        },
      ],
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'ops', Policy: policy }));
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: 'ops' }))).Policy).toBe(policy);
    expect((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'ops' }))).PolicyStatus?.IsPublic).toBe(
      true,
    );
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'ops' }));
    expect((await s3Error(() => s3.send(new GetBucketPolicyCommand({ Bucket: 'ops' })))).name).toBe(
      'NoSuchBucketPolicy',
    );
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'ops' }));
    expect((await s3Error(() => s3.send(new GetPublicAccessBlockCommand({ Bucket: 'ops' })))).name).toBe(
      'NoSuchPublicAccessBlockConfiguration',
    );
  });
});

describe('ListObjectVersions on an unversioned bucket', () => {
  it('lists every object as its single null version, with key-marker paging', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'versions' }));
    for (const k of ['v/1', 'v/2', 'v/3', 'v/d/4'])
      await s3.send(new PutObjectCommand({ Bucket: 'versions', Key: k, Body: k }));
    const p1 = await s3.send(
      new ListObjectVersionsCommand({ Bucket: 'versions', Prefix: 'v/', Delimiter: '/', MaxKeys: 2 }),
    );
    expect(p1.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ['v/1', 'null', true],
      ['v/2', 'null', true],
    ]);
    expect(p1.IsTruncated).toBe(true);
    const p2 = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: 'versions',
        Prefix: 'v/',
        Delimiter: '/',
        KeyMarker: p1.NextKeyMarker,
        VersionIdMarker: p1.NextVersionIdMarker,
      }),
    );
    expect(p2.Versions?.map((v) => v.Key)).toEqual(['v/3']);
    expect(p2.CommonPrefixes?.map((c) => c.Prefix)).toEqual(['v/d/']);
    const g = await s3.send(new GetObjectCommand({ Bucket: 'versions', Key: 'v/1', VersionId: 'null' }));
    expect(await g.Body!.transformToString()).toBe('v/1');
    const bad = await s3Error(() =>
      s3.send(new GetObjectCommand({ Bucket: 'versions', Key: 'v/1', VersionId: 'abc' })),
    );
    expect(bad.name).toBe('InvalidArgument');
  });
});

describe('ListBuckets', () => {
  it('pages with max-buckets and filters by prefix, with BucketRegion', async () => {
    for (const b of ['page-a', 'page-b', 'page-c']) await s3.send(new CreateBucketCommand({ Bucket: b }));
    const p1 = await s3.send(new ListBucketsCommand({ Prefix: 'page-', MaxBuckets: 2 }));
    expect(p1.Buckets?.map((b) => [b.Name, b.BucketRegion])).toEqual([
      ['page-a', 'us-east-1'],
      ['page-b', 'us-east-1'],
    ]);
    const p2 = await s3.send(
      new ListBucketsCommand({ Prefix: 'page-', MaxBuckets: 2, ContinuationToken: p1.ContinuationToken }),
    );
    expect(p2.Buckets?.map((b) => b.Name)).toEqual(['page-c']);
    expect(p2.ContinuationToken).toBeUndefined();
    for (const b of ['page-a', 'page-b', 'page-c']) await s3.send(new DeleteBucketCommand({ Bucket: b }));
  });
});
