// The guide's S3 troubleshooting entries (문제 해결 › S3 관련 문제), each reproduced against the
// stack: the app's storage surfaces the typed error, and the doctor names the guide's entry, the
// cause and the remedy, with exit code 1 — and never leaves its probe object behind.

import { loadSettings } from '../../src/config/index.ts';
import { S3Storage } from '../../src/storage/index.ts';
import { GUIDE_SECTIONS } from '../../stack/doctor/guide-sections.ts';
import { PROBE_PREFIX } from '../../stack/doctor/s3-check.ts';
import { doctorS3Client, doctorStorage } from '../../stack/doctor/s3-client.ts';
import { expect, test } from '../../stack/testing/fixture.ts';
import { appStorageError, doctorJson, startStallingServer, TIMEOUT_MS } from './support.ts';

const ACCESS_DENIED_KO =
  'IAM 사용자 권한 정책 확인\n액세스 키 ID와 비밀 액세스 키 확인\n버킷 이름과 리전 확인';

test('"Access Denied": a wrong AWS_SECRET_ACCESS_KEY is SignatureDoesNotMatch', async ({ stack }) => {
  const env = { ...stack.env, AWS_SECRET_ACCESS_KEY: 'not-the-secret-key-0000000000000000000000' };
  const app = await appStorageError(env);
  expect(app).toMatchObject({ code: 'ACCESS_DENIED', s3Code: 'SignatureDoesNotMatch' });

  const run = await doctorJson(env);
  expect(run.exitCode).toBe(1);
  const bucket = run.check('s3.bucket');
  expect(bucket).toMatchObject({
    status: 'fail',
    code: 'SignatureDoesNotMatch',
    appCode: 'ACCESS_DENIED',
    guideSectionId: 's3-access-denied',
    guideSection: GUIDE_SECTIONS['s3-access-denied'].heading,
    causeKo: 'IAM 권한 부족 또는 잘못된 액세스 키',
    remedyKo: ACCESS_DENIED_KO,
  });
  expect(bucket.cause).toMatch(/^AWS_SECRET_ACCESS_KEY is not the secret of AWS_ACCESS_KEY_ID=/);
  expect(run.check('s3.put').status).toBe('skip');
  expect(run.check('smtp.auth').status).toBe('pass');
});

test('"Access Denied": an unknown AWS_ACCESS_KEY_ID is InvalidAccessKeyId', async ({ stack }) => {
  const env = { ...stack.env, AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNLOCALKEY9' };
  expect(await appStorageError(env)).toMatchObject({ code: 'ACCESS_DENIED', s3Code: 'InvalidAccessKeyId' });

  const run = await doctorJson(env);
  expect(run.exitCode).toBe(1);
  expect(run.check('s3.bucket')).toMatchObject({
    status: 'fail',
    code: 'InvalidAccessKeyId',
    guideSectionId: 's3-access-denied',
  });
  expect(run.check('s3.bucket').cause).toContain('does not know AWS_ACCESS_KEY_ID=AKIAUNKNOWNLOCALKEY9');
});

test('"Access Denied": a key whose policy lacks s3:PutObject fails at the put, and the rest still reports', async ({
  stack,
}) => {
  const narrow = {
    accessKeyId: 'AKIANOPUTLOCALKEY001',
    secretAccessKey: 'no-put-secret-key-00000000000000000000',
  };
  await stack.engine.provisionUser(
    { name: 'focusmate-no-put', ...narrow },
    {
      name: 'no-put-policy',
      json: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:DeleteObject', 's3:ListBucket'],
            Resource: [`arn:aws:s3:::${stack.s3.bucket}`, `arn:aws:s3:::${stack.s3.bucket}/*`],
          },
        ],
      }),
    },
  );
  const env = {
    ...stack.env,
    AWS_ACCESS_KEY_ID: narrow.accessKeyId,
    AWS_SECRET_ACCESS_KEY: narrow.secretAccessKey,
  };
  expect(await appStorageError(env)).toMatchObject({ code: 'ACCESS_DENIED', s3Code: 'AccessDenied' });

  const run = await doctorJson(env);
  expect(run.exitCode).toBe(1);
  expect(run.check('s3.bucket').status).toBe('pass');
  const put = run.check('s3.put');
  expect(put).toMatchObject({ status: 'fail', code: 'AccessDenied', guideSectionId: 's3-access-denied' });
  expect(put.cause).toContain('its policy does not allow s3:PutObject');
  expect(put.remedy).toContain('stack/policies/app-user-policy.json');
  expect(run.check('s3.list').status).toBe('pass');
  expect(run.check('s3.head').status).toBe('skip');
  expect(await stack.s3.inspect.listObjects(stack.s3.bucket, PROBE_PREFIX)).toEqual([]);
});

test('"Bucket not found": a wrong AWS_S3_BUCKET', async ({ stack }) => {
  const env = { ...stack.env, AWS_S3_BUCKET: 'focusmate-uplaods' };
  expect(await appStorageError(env)).toMatchObject({ code: 'BUCKET_NOT_FOUND', s3Code: 'NoSuchBucket' });

  const run = await doctorJson(env);
  expect(run.exitCode).toBe(1);
  const bucket = run.check('s3.bucket');
  expect(bucket).toMatchObject({
    status: 'fail',
    code: 'NoSuchBucket',
    appCode: 'BUCKET_NOT_FOUND',
    guideSectionId: 's3-bucket-not-found',
    causeKo: '버킷 이름 오타 또는 리전 불일치',
  });
  expect(bucket.cause).toContain('no bucket named AWS_S3_BUCKET=focusmate-uplaods');
  expect(bucket.remedyKo).toContain('`AWS_S3_BUCKET` 값 확인');
});

test('"Connection timeout": an endpoint that accepts and never answers', async ({ stack }) => {
  await using stall = await startStallingServer();
  const env = { ...stack.env, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${stall.port}` };
  // The app's mapping, given a client whose request timeout fails the request (as the doctor's does).
  const settings = loadSettings(env).storage;
  const client = doctorS3Client(settings, TIMEOUT_MS);
  const storage = doctorStorage(settings, client);
  const [app, run] = await Promise.all([
    storage
      .put('verifications/t/doc.pdf', Buffer.from('x'), { contentType: 'application/pdf' })
      .catch((e) => e),
    doctorJson(env, [], TIMEOUT_MS),
  ]);
  client.destroy();
  expect(app).toMatchObject({ code: 'CONNECTION_FAILED', s3Code: 'TimeoutError' });
  expect(run.exitCode).toBe(1);
  const bucket = run.check('s3.bucket');
  expect(bucket).toMatchObject({
    status: 'fail',
    appCode: 'CONNECTION_FAILED',
    guideSectionId: 's3-connection-timeout',
    causeKo: '네트워크 문제 또는 AWS 서비스 장애',
  });
  expect(bucket.cause).toContain('no answer from http://127.0.0.1:');
  expect(bucket.remedyKo).toContain('AWS 서비스 상태 확인: [AWS Status](https://status.aws.amazon.com/)');
  expect(run.check('s3.put').status).toBe('skip');
});

// The SDK's request timeout only logs a warning unless `throwOnRequestTimeout` is set; S3Storage
// sets it, so against a stalling endpoint the app fails with CONNECTION_FAILED instead of waiting.
test("the app's own S3Storage times out a request that gets no answer: CONNECTION_FAILED", async ({
  stack,
}) => {
  await using stall = await startStallingServer();
  const s3 = loadSettings({ ...stack.env, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${stall.port}` }).storage.s3;
  await using storage = new S3Storage({
    ...s3,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    maxFileSize: 1024,
    maxAttempts: 1,
    connectionTimeoutMs: TIMEOUT_MS,
    requestTimeoutMs: TIMEOUT_MS,
  });
  const outcome = await Promise.race([
    storage.put('verifications/t/doc.pdf', Buffer.from('x'), { contentType: 'application/pdf' }).then(
      () => 'stored',
      (e: { code?: string }) => e.code,
    ),
    new Promise((resolve) => setTimeout(resolve, 2.5 * TIMEOUT_MS, 'still waiting')),
  ]);
  expect(outcome).toBe('CONNECTION_FAILED');
});

test('a key without s3:DeleteObject: the delete fails under "Access Denied", and the stranded probe is named', async ({
  stack,
}) => {
  const keys = {
    accessKeyId: 'AKIANODELETELOCAL001',
    secretAccessKey: 'no-delete-secret-key-000000000000000000',
  };
  await stack.engine.provisionUser(
    { name: 'focusmate-no-delete', ...keys },
    {
      name: 'no-delete-policy',
      json: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:PutObject', 's3:GetObject', 's3:ListBucket'],
            Resource: [`arn:aws:s3:::${stack.s3.bucket}`, `arn:aws:s3:::${stack.s3.bucket}/*`],
          },
        ],
      }),
    },
  );
  const run = await doctorJson({
    ...stack.env,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
  });
  expect(run.exitCode).toBe(1);
  expect(run.check('s3.delete')).toMatchObject({
    status: 'fail',
    code: 'AccessDenied',
    guideSectionId: 's3-access-denied',
  });
  expect(run.check('s3.delete').cause).toContain('does not allow s3:DeleteObject');
  const [left] = await stack.s3.inspect.listObjects(stack.s3.bucket, PROBE_PREFIX);
  expect(run.check('s3.cleanup')).toMatchObject({
    status: 'warn',
    remedy: `delete it: aws s3 rm s3://${stack.s3.bucket}/${left!.key}`,
  });
});
