// The doctor on a correct env (the stack's own), its two output forms, its CLI surface, and the
// promise that no secret ever reaches its output.
import { Buffer } from 'node:buffer';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDoctor } from '../../stack/doctor/run-doctor.ts';
import { PROBE_PREFIX } from '../../stack/doctor/s3-check.ts';
import { expect, test } from '../../stack/testing/fixture.ts';
import { doctor, doctorJson } from './support.ts';

test('all green on the stack’s env: exit 0, every check passes, ListBuckets denied as on AWS', async ({
  stack,
}) => {
  const run = await doctorJson(stack.env);
  expect(run.exitCode).toBe(0);
  expect(run.report.ok).toBe(true);
  expect(run.report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
  expect(run.report.checks.map((c) => c.id)).toEqual([
    'settings',
    'smtp.connect',
    'smtp.ehlo',
    'smtp.tls',
    'smtp.auth',
    'smtp.mail-from',
    'smtp.app',
    's3.bucket',
    's3.put',
    's3.head',
    's3.get',
    's3.list',
    's3.delete',
    's3.list-buckets',
    's3.get-bucket-policy',
    's3.public-read',
  ]);
  expect(run.check('s3.list-buckets').detail).toContain('denied as on AWS');
  expect(run.check('smtp.ehlo').lines).toContain('offers STARTTLS');
  expect(run.check('smtp.tls').detail).toContain('certificate verified');
  // The probe went through the real server and is gone.
  const puts = stack.decisions().filter((d) => d.operation === 'PutObject');
  expect(puts).toEqual([
    expect.objectContaining({ allowed: true, key: expect.stringMatching(/^doctor-probe\//) }),
  ]);
  expect(stack.decisions().filter((d) => d.operation === 'ListBuckets')).toEqual([
    expect.objectContaining({ allowed: false }),
  ]);
  expect(await stack.s3.inspect.listObjects(stack.s3.bucket, PROBE_PREFIX)).toEqual([]);
});

test('the implicit-TLS (SSL) listener: TLS from the first byte, certificate verified, all green', async ({
  stack,
}) => {
  const run = await doctorJson({
    ...stack.env,
    SMTP_PORT: String(stack.mail.smtpsPort),
    SMTP_USE_SSL: 'true',
  });
  expect(run.exitCode).toBe(0);
  expect(run.check('smtp.tls').detail).toMatch(/^implicit TLS \(SSL\): TLSv1\.\d, certificate verified/);
  expect(run.check('smtp.ehlo').lines).not.toContain('offers STARTTLS');
  expect(run.check('smtp.app').status).toBe('pass');
});

test('human output: one line per check with ✓ / ! / ✗, details indented, a summary', async ({ stack }) => {
  const run = await doctor(stack.env);
  expect(run.exitCode).toBe(0);
  expect(run.stdout).toMatch(/^✓ smtp\.tls {2,}STARTTLS: TLSv1\.\d, certificate verified/m);
  expect(run.stdout).toMatch(/^ {4}offers AUTH PLAIN/m);
  expect(run.stdout).toMatch(/All checks passed\.\n$/);
  const failing = await doctor({ ...stack.env, AWS_S3_BUCKET: 'no-such-bucket-here' });
  expect(failing.exitCode).toBe(1);
  expect(failing.stdout).toMatch(/^✗ s3\.bucket/m);
  expect(failing.stdout).toMatch(/^ {4}guide: 문제 해결 › S3 관련 문제 › 2\. "Bucket not found" 오류$/m);
  expect(failing.stdout).toContain('1 check(s) failed.');
});

test('--json: one document, each check { id, status, detail } and failures with cause, remedy, remedyKo, guideSection', async ({
  stack,
}) => {
  const run = await doctorJson({
    ...stack.env,
    SMTP_PASSWORD: 'wrong-password',
    AWS_S3_BUCKET: 'no-such-bucket-here',
  });
  expect(run.report).toMatchObject({ ok: false, exitCode: 1, source: 'the environment' });
  const ids = run.report.checks.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const check of run.report.checks) {
    expect(check).toEqual(expect.objectContaining({ id: expect.any(String), detail: expect.any(String) }));
    expect(['pass', 'warn', 'fail', 'skip']).toContain(check.status);
    if (check.status === 'fail') {
      expect(check).toEqual(
        expect.objectContaining({
          cause: expect.any(String),
          remedy: expect.any(String),
          remedyKo: expect.any(String),
          guideSection: expect.stringMatching(/^문제 해결 › /),
        }),
      );
    }
  }
  expect(run.report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual([
    'smtp.auth',
    's3.bucket',
  ]);
});

test('no secret reaches the output: not the passwords, not the AUTH payload, not a wrong value', async ({
  stack,
}) => {
  const wrongPassword = 'Wr0ng-p@ss"word';
  const wrongSecret = 'wrongSecretValue0000000000000000000000000';
  const secrets = [stack.env.SMTP_PASSWORD!, stack.env.AWS_SECRET_ACCESS_KEY!, wrongPassword, wrongSecret];
  for (const pass of [stack.env.SMTP_PASSWORD!, wrongPassword]) {
    secrets.push(Buffer.from(`\0${stack.env.SMTP_USER}\0${pass}`).toString('base64'));
    secrets.push(Buffer.from(pass).toString('base64'));
  }
  const outputs = [
    await doctor(stack.env, ['--send-to', 'leader@example.com']),
    await doctor(stack.env, ['--json', '--lang', 'ko']),
    await doctor({ ...stack.env, SMTP_PASSWORD: wrongPassword, AWS_SECRET_ACCESS_KEY: wrongSecret }, [
      '--lang',
      'ko',
    ]),
    await doctor({ ...stack.env, SMTP_PASSWORD: wrongPassword, AWS_SECRET_ACCESS_KEY: wrongSecret }, [
      '--json',
    ]),
    await doctor({ ...stack.env, SMTP_PORT: 'not-a-port', SMTP_PASSWORD: wrongPassword }, ['--json']),
  ];
  for (const [index, { stdout, stderr }] of outputs.entries()) {
    // Every report but the refused-settings one lists the variables, secrets masked.
    if (index < outputs.length - 1) expect(stdout).toContain('<redacted>');
    for (const secret of secrets) {
      expect(stdout).not.toContain(secret);
      expect(stderr).not.toContain(secret);
    }
  }
});

test('--send-to sends the guide’s test message through the app’s email service', async ({ stack }) => {
  const run = await doctorJson(stack.env, ['--send-to', 'leader@example.com']);
  expect(run.exitCode).toBe(0);
  expect(run.check('smtp.send')).toMatchObject({
    status: 'pass',
    guideStep: expect.stringContaining('이메일 전송 테스트'),
  });
  await expect(stack).toHaveReceived({ to: 'leader@example.com', subject: /Test Team/ });
});

test('invalid settings: each variable listed (the app’s ConfigError), nothing else run, exit 1', async ({
  stack,
}) => {
  const run = await doctorJson({ ...stack.env, SMTP_PORT: 'not-a-port', AWS_S3_REGION: 'Seoul!' });
  expect(run.exitCode).toBe(1);
  expect(run.check('settings')).toMatchObject({ status: 'fail', appCode: 'CONFIG_INVALID' });
  expect(run.check('settings').lines).toEqual([
    'SMTP_PORT="not-a-port": expected an integer port between 1 and 65535',
    'AWS_S3_REGION="Seoul!": expected an AWS region such as us-east-1',
  ]);
  expect(run.report.checks.map((c) => [c.id, c.status])).toEqual([
    ['settings', 'fail'],
    ['smtp', 'skip'],
    ['s3', 'skip'],
  ]);
});

test('SMTP disabled and local storage: those checks are skipped, exit 0', async ({ stack }) => {
  const run = await doctorJson({ ...stack.env, SMTP_ENABLED: 'false', STORAGE_TYPE: 'local' });
  expect(run.exitCode).toBe(0);
  expect(run.check('smtp')).toMatchObject({ status: 'skip' });
  expect(run.check('s3')).toMatchObject({ status: 'skip' });
});

test('--app-env reads an env file (relative to the working directory); usage errors exit 2', async ({
  stack,
}) => {
  const dir = await mkdtemp(join(tmpdir(), 'doctor-env-'));
  try {
    const lines = Object.entries(stack.env).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    await writeFile(join(dir, 'app.env'), `${lines.join('\n')}\n`);
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t), cwd: dir };
    expect(await runDoctor(['--app-env', 'app.env', '--json', '--timeout', '2000'], {}, io)).toBe(0);
    expect(JSON.parse(out).source).toBe(join(dir, 'app.env'));

    out = '';
    expect(await runDoctor([], {}, io)).toBe(2);
    expect(err).toContain(`cannot read the env file ${join(dir, '.env.local')} (ENOENT)`);
    err = '';
    expect(await runDoctor(['--app-env', 'app.env', '--from-environment'], {}, io)).toBe(2);
    expect(err).toContain('exclude each other');
    err = '';
    expect(await runDoctor(['--env-file', 'app.env'], {}, io)).toBe(2);
    expect(err).toMatch(/Unknown option '--env-file'/);
    expect(await runDoctor(['--help'], {}, io)).toBe(0);
    expect(out).toContain('--app-env PATH');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
