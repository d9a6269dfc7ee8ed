import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/index.ts';
import { createStorage } from '../../src/storage/create-storage.ts';
import { S3Storage } from '../../src/storage/s3-storage.ts';
import type { Identity } from '../../stack/s3/identity.ts';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { storageFailure } from '../contract/storage-contract.ts';
import { closedPort } from '../helpers/smtp-test-server.ts';
import { meteredStream } from '../helpers/streams.ts';

const ROOT: Identity = {
  name: 'root',
  arn: 'arn:aws:iam::000000000000:root',
  accessKeyId: 'AKIASTORAGEERRORS001',
  secretAccessKey: 'storage-errors-secret-key-00000000000000',
  root: true,
};

let server: S3Server;
beforeAll(async () => {
  server = await startS3Server({ identities: [ROOT], region: 'ap-northeast-2' });
  await server.createBucket('errors-bucket');
});
afterAll(() => server.stop());

function storage(overrides: Partial<ConstructorParameters<typeof S3Storage>[0]> = {}) {
  return new S3Storage({
    bucket: 'errors-bucket',
    region: 'ap-northeast-2',
    endpoint: server.url,
    credentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
    maxFileSize: 1024,
    maxAttempts: 1,
    ...overrides,
  });
}

describe('S3Storage error mapping (embedded S3 server)', () => {
  it('a missing bucket is BUCKET_NOT_FOUND, for get, head and put, with the guide remedy', async () => {
    await using s = storage({ bucket: 'no-such-bucket' });
    const error = await storageFailure(s.get('a.txt'), 'BUCKET_NOT_FOUND');
    expect(error.message).toContain('AWS_S3_BUCKET');
    expect(error.remedyKo).toContain('버킷 생성 리전');
    await storageFailure(s.head('a.txt'), 'BUCKET_NOT_FOUND');
    await storageFailure(s.put('a.txt', Buffer.from('x'), { contentType: 'text/plain' }), 'BUCKET_NOT_FOUND');
  });

  it('a wrong secret key is ACCESS_DENIED with the guide remedy', async () => {
    await using s = storage({
      credentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey: 'wrong-secret' },
    });
    const error = await storageFailure(s.get('a.txt'), 'ACCESS_DENIED');
    expect(error.httpStatus).toBe(403);
    expect(error.message).toContain('IAM');
    expect(error.remedyKo).toContain('IAM 사용자 권한 정책 확인');
  });

  it('an unknown access key is ACCESS_DENIED', async () => {
    await using s = storage({ credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } });
    await storageFailure(s.list(''), 'ACCESS_DENIED');
  });

  it('signing for another region is REGION_MISMATCH', async () => {
    await using s = storage({ region: 'us-west-2' });
    const error = await storageFailure(s.get('a.txt'), 'REGION_MISMATCH');
    expect(error.message).toContain('AWS_S3_REGION');
  });

  it('nothing listening is CONNECTION_FAILED', async () => {
    await using s = storage({ endpoint: `http://127.0.0.1:${await closedPort()}` });
    const error = await storageFailure(s.get('a.txt'), 'CONNECTION_FAILED');
    expect(error.message).toContain('network');
  });

  it('createStorage builds a path-style S3Storage from settings', async () => {
    const settings = loadSettings({
      STORAGE_TYPE: 's3',
      AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
      AWS_S3_BUCKET: 'errors-bucket',
      AWS_S3_REGION: 'ap-northeast-2',
      AWS_ENDPOINT_URL_S3: server.url,
      STORAGE_MAX_FILE_SIZE: '100',
    });
    await using s = createStorage(settings.storage);
    expect(s.kind).toBe('s3');
    expect(s.maxFileSize).toBe(100);
    await s.put('from-settings.txt', Buffer.from('hi'), { contentType: 'text/plain' });
    expect(server.headObject('errors-bucket', 'from-settings.txt')).toBeDefined();
    expect(s.publicUrl('teams/t/profile/x.png')).toBe(`${server.url}/errors-bucket/teams/t/profile/x.png`);
    // Path style: the bucket is in the path, not the host name.
    expect(new URL(await s.presignedGetUrl('from-settings.txt', 60)).pathname).toBe(
      '/errors-bucket/from-settings.txt',
    );
  });

  it('without an endpoint, public URLs are virtual-hosted AWS URLs', async () => {
    await using s = new S3Storage({ bucket: 'focusmate-uploads', region: 'us-east-1', maxFileSize: 1 });
    expect(s.publicUrl('teams/t1/profile/a b.png')).toBe(
      'https://focusmate-uploads.s3.us-east-1.amazonaws.com/teams/t1/profile/a%20b.png',
    );
  });

  it('under singlePutMaxBytes an oversize stream never starts an upload: one PutObject or nothing', async () => {
    await using s = storage({ maxFileSize: 6 * 1024 * 1024 });
    const operations: string[] = [];
    const off = server.on('request', (e) => operations.push(e.operation));
    try {
      const over = meteredStream(7 * 1024 * 1024, 256 * 1024).stream;
      await storageFailure(
        s.put('whole.bin', over, { contentType: 'application/octet-stream' }),
        'TOO_LARGE',
      );
      const exact = meteredStream(6 * 1024 * 1024, 256 * 1024).stream;
      await s.put('fits.bin', exact, { contentType: 'application/octet-stream' });
      const listed = await s.list('');
      expect(listed.map((o) => o.key)).toContain('fits.bin');
      expect(listed.map((o) => o.key)).not.toContain('whole.bin');
      expect(operations).not.toContain('CreateMultipartUpload');
      expect(operations.filter((o) => o === 'PutObject')).toHaveLength(1);
    } finally {
      off();
      await s.delete('fits.bin');
    }
  });

  it('an oversize stream past the first part aborts its multipart upload and creates no object', async () => {
    await using s = storage({ maxFileSize: 6 * 1024 * 1024, singlePutMaxBytes: 0 });
    const before = server.requests().length;
    const { stream } = meteredStream(16 * 1024 * 1024, 256 * 1024);
    await storageFailure(
      s.put('big/over.bin', stream, { contentType: 'application/octet-stream' }),
      'TOO_LARGE',
    );
    const operations = server
      .requests()
      .slice(before)
      .map((r) => r.operation);
    expect(operations).toContain('CreateMultipartUpload');
    expect(operations).toContain('AbortMultipartUpload');
    expect(operations).not.toContain('CompleteMultipartUpload');
    expect(server.headObject('errors-bucket', 'big/over.bin')).toBeUndefined();
    const open = await s.client.send(new ListMultipartUploadsCommand({ Bucket: 'errors-bucket' }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it('a presigned POST form carries a policy limited to STORAGE_MAX_FILE_SIZE and the content type', async () => {
    await using s = storage();
    const post = await s.presignedPost('uploads/form.txt', { contentType: 'text/plain', expiresIn: 60 });
    expect(post.maxSize).toBe(1024);
    expect(new URL(post.url).pathname).toBe('/errors-bucket');
    expect(post.fields).toMatchObject({ key: 'uploads/form.txt', 'Content-Type': 'text/plain' });
    expect(post.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    const policy = JSON.parse(Buffer.from(post.fields.Policy!, 'base64').toString('utf8'));
    expect(policy.conditions).toContainEqual(['content-length-range', 0, 1024]);
    expect(policy.conditions).toContainEqual(['eq', '$Content-Type', 'text/plain']);
    expect(Date.parse(policy.expiration) - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('a presigned POST form uploads within the limit and is refused above it', async () => {
    await using s = storage();
    const post = await s.presignedPost('uploads/form.txt', { contentType: 'text/plain', expiresIn: 60 });
    const form = (body: string) => {
      const data = new FormData();
      for (const [name, value] of Object.entries(post.fields)) data.append(name, value);
      data.append('file', new Blob([body], { type: 'text/plain' }), 'form.txt');
      return data;
    };
    const ok = await fetch(post.url, { method: 'POST', body: form('small') });
    expect(ok.status).toBeLessThan(300);
    expect((await server.getObject('errors-bucket', 'uploads/form.txt'))?.body.toString()).toBe('small');
    const big = await fetch(post.url, { method: 'POST', body: form('x'.repeat(2000)) });
    expect(big.status).toBe(400);
    expect(await big.text()).toContain('EntityTooLarge');
  });
});
