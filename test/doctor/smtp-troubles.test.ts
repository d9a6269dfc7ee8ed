// The guide's SMTP troubleshooting entries (문제 해결 › SMTP 관련 문제), each reproduced against the
// stack: the app's email service surfaces the typed error, and the doctor names the guide's
// entry, the cause and the remedy, with exit code 1.
import { describe } from 'vitest';
import { GUIDE_SECTIONS } from '../../stack/doctor/guide-sections.ts';
import { expect, test } from '../../stack/testing/fixture.ts';
import {
  appEmailError,
  closedPort,
  doctor,
  doctorJson,
  otherCaFile,
  startStallingServer,
  TIMEOUT_MS,
} from './support.ts';

describe('"Authentication failed"', () => {
  test('a wrong SMTP_PASSWORD: AUTH_FAILED in the app, 535 and the guide’s remedy in the doctor', async ({
    stack,
  }) => {
    const env = { ...stack.env, SMTP_PASSWORD: 'not-the-password' };
    expect((await appEmailError(env)).code).toBe('AUTH_FAILED');

    const run = await doctorJson(env);
    expect(run.exitCode).toBe(1);
    const auth = run.check('smtp.auth');
    expect(auth).toMatchObject({
      status: 'fail',
      code: '535',
      appCode: 'AUTH_FAILED',
      guideSectionId: 'smtp-auth-failed',
      guideSection: GUIDE_SECTIONS['smtp-auth-failed'].heading,
      remedyKo:
        'Gmail의 경우 앱 비밀번호 사용 확인\nAWS SES의 경우 SMTP 자격 증명 확인\n비밀번호에 특수문자가 있는 경우 따옴표로 감싸기',
      causeKo: '잘못된 사용자명/비밀번호 또는 앱 비밀번호 미사용 (Gmail)',
    });
    expect(auth.cause).toContain(`SMTP_USER=${stack.env.SMTP_USER}`);
    expect(auth.remedy).toContain('with Gmail, check that an app password is used');
    // The steps before AUTH passed: the connection and TLS are not the problem.
    expect(run.check('smtp.connect').status).toBe('pass');
    expect(run.check('smtp.tls').status).toBe('pass');
    expect(run.check('smtp.mail-from').status).toBe('skip');
    expect(run.check('s3.bucket').status).toBe('pass');
  });
});

describe('"Connection timeout"', () => {
  test('a server that accepts and never greets: CONNECTION_TIMEOUT in the app, the guide’s firewall entry in the doctor', async ({
    stack,
  }) => {
    await using stall = await startStallingServer();
    const env = { ...stack.env, SMTP_PORT: String(stall.port) };
    const [app, run] = await Promise.all([appEmailError(env, TIMEOUT_MS), doctorJson(env, [], TIMEOUT_MS)]);
    expect(app.code).toBe('CONNECTION_TIMEOUT');

    expect(run.exitCode).toBe(1);
    expect(run.check('smtp.connect').status).toBe('pass');
    expect(run.check('smtp.ehlo')).toMatchObject({
      status: 'fail',
      code: 'ETIMEDOUT',
      appCode: 'CONNECTION_TIMEOUT',
      guideSectionId: 'smtp-connection-timeout',
      remedyKo: '포트 587 (TLS) 또는 465 (SSL) 방화벽 허용 확인\n`SMTP_HOST` 값 확인\n네트워크 연결 확인',
    });
    expect(run.check('smtp.ehlo').cause).toMatch(/accepts and stalls/);
    expect(run.check('smtp.tls').status).toBe('skip');
    // The doctor also tried a TLS handshake there (was it an SSL port?) before calling it a timeout.
    expect(stall.accepted()).toBeGreaterThanOrEqual(3);
  });

  test('nothing listening: refused, under the same guide entry, asking whether the dev stack runs', async ({
    stack,
  }) => {
    const env = { ...stack.env, SMTP_PORT: String(await closedPort()) };
    expect((await appEmailError(env)).code).toBe('CONNECTION_REFUSED');
    const run = await doctorJson(env);
    expect(run.check('smtp.connect')).toMatchObject({
      status: 'fail',
      code: 'ECONNREFUSED',
      guideSectionId: 'smtp-connection-timeout',
    });
    expect(run.check('smtp.connect').cause).toContain('npm run dev:stack');
  });
});

describe('"TLS/SSL handshake failed"', () => {
  test('SMTP_TLS_CA_FILE of another CA: TLS_FAILED in the app, an untrusted certificate in the doctor', async ({
    stack,
  }) => {
    await using ca = await otherCaFile();
    const env = { ...stack.env, SMTP_TLS_CA_FILE: ca.path };
    expect((await appEmailError(env)).code).toBe('TLS_FAILED');

    const run = await doctorJson(env);
    expect(run.exitCode).toBe(1);
    const tls = run.check('smtp.tls');
    expect(tls).toMatchObject({
      status: 'fail',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      appCode: 'TLS_FAILED',
      guideSectionId: 'smtp-tls-failed',
      causeKo: 'TLS 설정 문제',
    });
    expect(tls.cause).toContain(`SMTP_TLS_CA_FILE=${ca.path} is not the CA that issued it`);
    expect(tls.remedy).toMatch(/^point SMTP_TLS_CA_FILE at the CA/);
    expect(run.check('smtp.auth').status).toBe('skip');
  });

  test('the implicit-TLS port without SMTP_USE_SSL: the app only sees a timeout, the doctor finds the SSL port', async ({
    stack,
  }) => {
    const env = { ...stack.env, SMTP_PORT: String(stack.mail.smtpsPort) };
    const [app, run] = await Promise.all([appEmailError(env, TIMEOUT_MS), doctorJson(env, [], TIMEOUT_MS)]);
    // The app's classification cannot tell this from a firewall: nodemailer waits for a greeting.
    expect(app.code).toBe('CONNECTION_TIMEOUT');
    expect(run.exitCode).toBe(1);
    const ehlo = run.check('smtp.ehlo');
    expect(ehlo).toMatchObject({
      status: 'fail',
      guideSectionId: 'smtp-tls-failed',
      appCode: 'CONNECTION_TIMEOUT',
    });
    expect(ehlo.cause).toContain(`port ${stack.mail.smtpsPort} expects TLS from the first byte (SSL)`);
    expect(ehlo.remedy).toMatch(/^set SMTP_USE_SSL=true/);
  });

  test('SMTP_USE_SSL=true on the STARTTLS port: TLS_FAILED in the app, "greets in plain text" in the doctor', async ({
    stack,
  }) => {
    const env = { ...stack.env, SMTP_USE_SSL: 'true' };
    expect((await appEmailError(env)).code).toBe('TLS_FAILED');

    const run = await doctorJson(env);
    expect(run.exitCode).toBe(1);
    expect(run.check('smtp.connect').status).toBe('pass');
    const tls = run.check('smtp.tls');
    expect(tls).toMatchObject({
      status: 'fail',
      code: 'ERR_SSL_WRONG_VERSION_NUMBER',
      guideSectionId: 'smtp-tls-failed',
    });
    expect(tls.cause).toContain(`port ${stack.mail.smtpPort} greets in plain text`);
    expect(tls.remedy).toMatch(/^remove SMTP_USE_SSL/);
  });

  test('SMTP_USE_TLS=false against a server that requires STARTTLS: 530 before AUTH, the TLS entry', async ({
    stack,
  }) => {
    const env = { ...stack.env, SMTP_USE_TLS: 'false' };
    const run = await doctorJson(env);
    expect(run.exitCode).toBe(1);
    expect(run.check('smtp.auth')).toMatchObject({
      status: 'fail',
      code: '530',
      guideSectionId: 'smtp-tls-failed',
    });
    expect(run.check('smtp.auth').remedy).toMatch(/^set SMTP_USE_TLS=true/);
  });
});

test('--lang ko prints the guide’s Korean lines under the failure, verbatim', async ({ stack }) => {
  const run = await doctor({ ...stack.env, SMTP_PASSWORD: 'not-the-password' }, ['--lang', 'ko']);
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toContain('원인: 잘못된 사용자명/비밀번호 또는 앱 비밀번호 미사용 (Gmail)');
  for (const line of GUIDE_SECTIONS['smtp-auth-failed'].remediesKo) expect(run.stdout).toContain(`- ${line}`);
  expect(run.stdout).toMatch(/^✗ smtp\.auth/m);
  const english = await doctor({ ...stack.env, SMTP_PASSWORD: 'not-the-password' });
  expect(english.stdout).not.toContain('원인:');
});
