// Default encryption and SSE-KMS through the real SDK against the embedded server: bucket
// encryption config, the SSE headers AWS echoes on every write and read, unknown KMS keys
// refused as S3 refuses them, and the bucket default applied to writes that name none.
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, loadSettings, type Storage, StorageError } from '../../src/index.ts';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { KmsKeyring } from '../../stack/s3/sse.ts';
import { type Stack, startStack } from '../../stack/stack.ts';
import { client, ROOT } from '../s3/fixtures.ts';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:000000000000:key/${KEY_ID}`;
const REGION = 'eu-west-1';

let server: S3Server;
let s3: S3Client;
const managedArn = new KmsKeyring(REGION, []).list()[0]!.arn;
const appAliasArn = new KmsKeyring(REGION, ['alias/focusmate-uploads']).list()[1]!.arn;

async function rejects(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  server = await startS3Server({
    region: REGION,
    identities: [ROOT],
    kmsKeys: [KEY_ID, 'alias/focusmate-uploads'],
  });
  s3 = client(server.url, ROOT, REGION);
  for (const b of ['enc', 'kms-default', 'config'])
    await s3.send(
      new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
});

describe('bucket default encryption configuration', () => {
  it('answers SSE-S3 before any configuration, stores a KMS rule, and Delete resets to SSE-S3', async () => {
    const before = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'config' }));
    expect(before.ServerSideEncryptionConfiguration?.Rules).toEqual([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
    ]);
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'config',
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: 'alias/focusmate-uploads',
              },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    const after = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'config' }));
    expect(after.ServerSideEncryptionConfiguration?.Rules).toEqual([
      {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: 'alias/focusmate-uploads',
        },
        BucketKeyEnabled: true,
      },
    ]);
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'config' }));
    const reset = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'config' }));
    expect(reset.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'AES256',
    });
  });

  it('refuses an unknown algorithm (MalformedXML) and a KMS key on an AES256 rule (InvalidArgument)', async () => {
    const bad = await rejects(
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'config',
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'DES' as 'AES256' } }],
          },
        }),
      ),
    );
    expect(bad).toMatchObject({ name: 'MalformedXML', status: 400 });
    const keyOnAes = await rejects(
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'config',
          ServerSideEncryptionConfiguration: {
            Rules: [
              { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: KEY_ID } },
            ],
          },
        }),
      ),
    );
    expect(keyOnAes).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });
});

describe('SSE on writes and reads', () => {
  it('echoes SSE-S3 on Put, Get and Head', async () => {
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'enc', Key: 'a.txt', Body: 'a', ServerSideEncryption: 'AES256' }),
    );
    expect(put.ServerSideEncryption).toBe('AES256');
    expect(put.SSEKMSKeyId).toBeUndefined();
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'enc', Key: 'a.txt' }));
    expect(head.ServerSideEncryption).toBe('AES256');
  });

  it('echoes SSE-KMS with the key ARN and the bucket-key flag on Put, Get, Head and Copy', async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'enc',
        Key: 'k.txt',
        Body: 'kms',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: KEY_ID,
        BucketKeyEnabled: true,
        SSEKMSEncryptionContext: Buffer.from(JSON.stringify({ app: 'focusmate' })).toString('base64'),
      }),
    );
    expect(put).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY_ARN,
      BucketKeyEnabled: true,
    });
    const get = await s3.send(new GetObjectCommand({ Bucket: 'enc', Key: 'k.txt' }));
    expect(get).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY_ARN,
      BucketKeyEnabled: true,
    });
    expect(await get.Body?.transformToString()).toBe('kms');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'enc', Key: 'k.txt' }));
    expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN });
    // A copy takes the destination's encryption (its headers, else the bucket default), not the source's.
    const plain = await s3.send(
      new CopyObjectCommand({ Bucket: 'enc', Key: 'k-copy.txt', CopySource: 'enc/k.txt' }),
    );
    expect(plain.ServerSideEncryption).toBe('AES256');
    expect(plain.SSEKMSKeyId).toBeUndefined();
    const kms = await s3.send(
      new CopyObjectCommand({
        Bucket: 'enc',
        Key: 'k-copy2.txt',
        CopySource: 'enc/a.txt',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: `arn:aws:kms:${REGION}:000000000000:alias/focusmate-uploads`,
      }),
    );
    expect(kms).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: appAliasArn });
    expect(kms.BucketKeyEnabled).toBeUndefined();
  });

  it('uses the AWS managed key alias/aws/s3 when aws:kms names no key', async () => {
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'enc', Key: 'm.txt', Body: 'm', ServerSideEncryption: 'aws:kms' }),
    );
    expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: managedArn });
    expect(managedArn).toMatch(/^arn:aws:kms:eu-west-1:000000000000:key\/[0-9a-f-]{36}$/);
  });

  it('carries SSE-KMS through a multipart upload (Create, UploadPart, Complete, Head)', async () => {
    const created = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'enc',
        Key: 'big.bin',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: KEY_ARN,
      }),
    );
    expect(created).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN });
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: 'enc',
        Key: 'big.bin',
        UploadId: created.UploadId,
        PartNumber: 1,
        Body: 'p1',
      }),
    );
    expect(part).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN });
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'enc',
        Key: 'big.bin',
        UploadId: created.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(done).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN });
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'enc', Key: 'big.bin' }));
    expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN });
  });

  it('refuses a KMS key the server does not know with 400 KMS.NotFoundException, storing nothing', async () => {
    const unknownId = await rejects(
      s3.send(
        new PutObjectCommand({
          Bucket: 'enc',
          Key: 'x.txt',
          Body: 'x',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: '00000000-0000-4000-8000-000000000000',
        }),
      ),
    );
    expect(unknownId).toMatchObject({ name: 'KMS.NotFoundException', status: 400 });
    expect(unknownId.message).toContain('does not exist');
    const notAnId = await rejects(
      s3.send(
        new CreateMultipartUploadCommand({
          Bucket: 'enc',
          Key: 'x.txt',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: 'aws/s3',
        }),
      ),
    );
    expect(notAnId).toMatchObject({
      name: 'KMS.NotFoundException',
      status: 400,
      message: 'Invalid keyId aws/s3',
    });
    expect(server.headObject('enc', 'x.txt')).toBeUndefined();
  });

  it('refuses a KMS key id without aws:kms, and an unknown algorithm', async () => {
    const keyOnly = await rejects(
      s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'y.txt', Body: 'y', SSEKMSKeyId: KEY_ID })),
    );
    expect(keyOnly).toMatchObject({ name: 'InvalidArgument', status: 400 });
    const alg = await rejects(
      s3.send(
        new PutObjectCommand({
          Bucket: 'enc',
          Key: 'y.txt',
          Body: 'y',
          ServerSideEncryption: 'DES' as 'AES256',
        }),
      ),
    );
    expect(alg).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  it('applies and echoes the bucket default when a write names no encryption', async () => {
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'kms-default',
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    const put = await s3.send(new PutObjectCommand({ Bucket: 'kms-default', Key: 'd.txt', Body: 'd' }));
    expect(put).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY_ARN,
      BucketKeyEnabled: true,
    });
    const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'kms-default', Key: 'd2.bin' }));
    expect(mpu).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY_ARN,
      BucketKeyEnabled: true,
    });
    // Asking for SSE-S3 explicitly overrides the default.
    const aes = await s3.send(
      new PutObjectCommand({
        Bucket: 'kms-default',
        Key: 'e.txt',
        Body: 'e',
        ServerSideEncryption: 'AES256',
      }),
    );
    expect(aes.ServerSideEncryption).toBe('AES256');
    expect(aes.BucketKeyEnabled).toBeUndefined();
    expect(server.headObject('kms-default', 'd.txt')?.serverSideEncryption).toBe('aws:kms');
  });
});

describe('the app adapter with AWS_S3_SSE against a bucket policy that requires SSE-KMS', () => {
  let stack: Stack;
  let root: S3Client;
  const storageFor = (env: Record<string, string | undefined>): Storage =>
    createStorage(loadSettings(env).storage, { maxAttempts: 1 });

  beforeAll(async () => {
    stack = await startStack({
      envOverrides: { AWS_S3_SSE: 'aws:kms', AWS_S3_SSE_KMS_KEY_ID: 'alias/focusmate-uploads' },
      encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/focusmate-uploads', bucketKey: true },
    });
    root = new S3Client({
      endpoint: stack.s3.url,
      region: stack.s3.region,
      forcePathStyle: true,
      credentials: stack.s3.root,
    });
    // The policy AWS documents for "deny unencrypted object uploads", added to the seeded one.
    const bucket = stack.s3.bucket;
    const current = await root.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    const policy = JSON.parse(current.Policy ?? '{"Version":"2012-10-17","Statement":[]}');
    policy.Statement.push(
      {
        Sid: 'DenyIncorrectEncryptionHeader',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      },
      {
        Sid: 'DenyUnEncryptedObjectUploads',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
      },
    );
    await root.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
  });

  afterAll(async () => {
    root?.destroy();
    await stack?.stop();
  });

  it('seeds the bucket default encryption from the stack option', async () => {
    expect(stack.seedSkipped).toEqual([]);
    const got = await root.send(new GetBucketEncryptionCommand({ Bucket: stack.s3.bucket }));
    expect(got.ServerSideEncryptionConfiguration?.Rules).toEqual([
      {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: 'alias/focusmate-uploads',
        },
        BucketKeyEnabled: true,
      },
    ]);
  });

  it('the env carries the settings to the adapter, validated', () => {
    const s3 = loadSettings(stack.env).storage.s3;
    expect(s3).toMatchObject({ sse: 'aws:kms', sseKmsKeyId: 'alias/focusmate-uploads' });
    expect(() => loadSettings({ ...stack.env, AWS_S3_SSE: 'DES' })).toThrow(/AWS_S3_SSE/);
    expect(() => loadSettings({ ...stack.env, AWS_S3_SSE: 'AES256' })).toThrow(/AWS_S3_SSE_KMS_KEY_ID/);
    expect(() => loadSettings({ ...stack.env, AWS_S3_SSE_KMS_KEY_ID: 'not a key' })).toThrow(
      /AWS_S3_SSE_KMS_KEY_ID/,
    );
  });

  it('refuses an upload without the header (AccessDenied) and stores nothing', async () => {
    await using plain = storageFor({ ...stack.env, AWS_S3_SSE: undefined, AWS_S3_SSE_KMS_KEY_ID: undefined });
    const err = await plain.put('profiles/plain.png', Buffer.from('png'), { contentType: 'image/png' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).s3Code).toBe('AccessDenied');
    expect((err as StorageError).httpStatus).toBe(403);
    const denied = stack.decisions({ allowed: false }).find((d) => d.key === 'profiles/plain.png');
    expect(denied?.reason).toMatch(/DenyUnEncryptedObjectUploads|DenyIncorrectEncryptionHeader/);
    expect(await storageFor(stack.env).exists('profiles/plain.png')).toBe(false);
  });

  it('accepts the same upload with AWS_S3_SSE=aws:kms, stored under the configured key', async () => {
    await using app = storageFor(stack.env);
    await app.put('profiles/kms.png', Buffer.from('png'), { contentType: 'image/png' });
    const head = await root.send(new HeadObjectCommand({ Bucket: stack.s3.bucket, Key: 'profiles/kms.png' }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(
      new KmsKeyring(stack.s3.region, ['alias/focusmate-uploads'])
        .list()
        .find((k) => k.alias === 'alias/focusmate-uploads')?.arn,
    );
  });

  it('streams a large upload as multipart with the headers on CreateMultipartUpload', async () => {
    await using app = storageFor({ ...stack.env, STORAGE_MAX_FILE_SIZE: String(32 * 1024 * 1024) });
    await app.put('chat/big.bin', Buffer.alloc(6 * 1024 * 1024, 1), {
      contentType: 'application/octet-stream',
    });
    const head = await root.send(new HeadObjectCommand({ Bucket: stack.s3.bucket, Key: 'chat/big.bin' }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.ETag).toMatch(/-2"$/);
  });

  it('a presigned PUT carries the headers the uploader must send; without them it is refused', async () => {
    await using app = storageFor(stack.env);
    const signed = await app.presignedPutUrl('profiles/browser.png', { contentType: 'image/png' });
    expect(signed.headers).toMatchObject({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'alias/focusmate-uploads',
    });
    // Sent as headers, not hoisted into the query: S3 reads the encryption from headers.
    expect(new URL(signed.url).searchParams.has('x-amz-server-side-encryption')).toBe(false);
    const ok = await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: 'png' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-amz-server-side-encryption')).toBe('aws:kms');
    const { 'x-amz-server-side-encryption': _dropped, ...withoutSse } = signed.headers;
    const refused = await fetch(signed.url, { method: 'PUT', headers: withoutSse, body: 'png' });
    expect(refused.status).toBe(403);
  });
});
