// A bucket created in ap-northeast-2 (the stack provisions it where the env says), with the
// guide's optional whole-bucket "PublicReadGetObject" policy: the region-mismatch half of "Bucket
// not found", and the public verification documents the guide's policy causes.
import { readEnvFile } from '../../stack/config/env-file.ts';
import { REPO_ENV_FILE } from '../../stack/stack.ts';
import { test as base, expect } from '../../stack/testing/fixture.ts';
import { appStorageError, doctor, doctorJson } from './support.ts';

const test = base.extend({
  stackOptions: [
    { env: { ...readEnvFile(REPO_ENV_FILE), AWS_S3_REGION: 'ap-northeast-2' }, bucketPolicy: 'guide-public' },
    { scope: 'file' },
  ],
});

test('"Bucket not found" (region): AWS_S3_REGION=us-east-1 for a bucket in ap-northeast-2', async ({
  stack,
}) => {
  expect(stack.s3.region).toBe('ap-northeast-2');
  const env = { ...stack.env, AWS_S3_REGION: 'us-east-1' };
  expect(await appStorageError(env)).toMatchObject({
    code: 'REGION_MISMATCH',
    s3Code: 'AuthorizationHeaderMalformed',
  });

  const run = await doctorJson(env);
  expect(run.exitCode).toBe(1);
  const bucket = run.check('s3.bucket');
  expect(bucket).toMatchObject({
    status: 'fail',
    appCode: 'REGION_MISMATCH',
    guideSectionId: 's3-bucket-not-found',
    causeKo: '버킷 이름 오타 또는 리전 불일치',
  });
  expect(bucket.detail).toContain('is in ap-northeast-2, but AWS_S3_REGION=us-east-1');
  expect(bucket.remedy).toMatch(/^set AWS_S3_REGION=ap-northeast-2; /);
  expect(bucket.remedyKo).toContain('`AWS_S3_REGION` 값이 버킷 생성 리전과 일치하는지 확인');
});

test('the guide’s public bucket policy: verification documents readable by anyone, a warning (exit 0)', async ({
  stack,
}) => {
  const run = await doctorJson(stack.env);
  expect(run.exitCode).toBe(0);
  expect(run.check('s3.bucket').detail).toContain('exists in ap-northeast-2');
  const exposure = run.check('s3.public-read');
  expect(exposure.status).toBe('warn');
  expect(exposure.detail).toMatch(/anonymous GET .* → 200/);
  expect(exposure.remedy).toContain('teams/*/profile/*');
  expect(run.report.checks.filter((c) => c.status === 'fail')).toEqual([]);
  const human = await doctor(stack.env);
  expect(human.stdout).toMatch(/^! s3\.public-read/m);
  expect(human.stdout).toContain('All checks passed, with 1 warning(s).');
});

test('a key broader than the guide’s policy: ListBuckets and GetBucketPolicy allowed are warnings, and the policy it reads is judged', async ({
  stack,
}) => {
  const broad = {
    accessKeyId: 'AKIABROADLOCALKEY001',
    secretAccessKey: 'broad-secret-key-000000000000000000000',
  };
  await stack.engine.provisionUser(
    { name: 'focusmate-broad', ...broad },
    {
      name: 'broad-policy',
      json: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${stack.s3.bucket}`, `arn:aws:s3:::${stack.s3.bucket}/*`],
          },
          { Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
        ],
      }),
    },
  );
  const run = await doctorJson({
    ...stack.env,
    AWS_ACCESS_KEY_ID: broad.accessKeyId,
    AWS_SECRET_ACCESS_KEY: broad.secretAccessKey,
  });
  expect(run.exitCode).toBe(0);
  expect(run.check('s3.list-buckets')).toMatchObject({
    status: 'warn',
    detail: expect.stringContaining('1 buckets visible'),
  });
  expect(run.check('s3.get-bucket-policy')).toMatchObject({ status: 'warn' });
  expect(run.check('s3.public-read').lines).toContain(
    'policy verdict: the bucket policy (GetBucketPolicy) makes private files public: anyone may read verifications and chat objects',
  );
});
