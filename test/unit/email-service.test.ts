import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/index.ts';
import { createEmailService, EmailError, type EmailServiceOptions } from '../../src/email/index.ts';
import { silentLogger } from '../../src/logger.ts';
import {
  DEFAULT_LEAF_HOSTS,
  type IssuedCert,
  type LocalCa,
  loadOrCreateLocalCa,
} from '../../stack/tls/local-ca.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';
import {
  closedPort,
  startSilentServer,
  startTestSmtpServer,
  type TestSmtpServerOptions,
} from '../helpers/smtp-test-server.ts';

const USER = 'dev@focusmate.local';
const PASS = 'local-app-password';
const FAST: EmailServiceOptions = {
  logger: silentLogger,
  timeouts: { connectionMs: 2_000, greetingMs: 2_000, socketMs: 5_000 },
  retry: { attempts: 3, backoffMs: 1 },
};

let ca: LocalCa;
let otherCa: LocalCa;
let dir: string;
let caFile: string;
let leaf: IssuedCert;
let untrustedLeaf: IssuedCert;
let wrongHostLeaf: IssuedCert;

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([loadOrCreateLocalCa(), loadOrCreateLocalCa()]);
  dir = await mkdtemp(join(tmpdir(), 'email-test-'));
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.caCertPem);
  // Issued once: RSA key generation is the slow part of these tests.
  leaf = ca.issue([...DEFAULT_LEAF_HOSTS]);
  untrustedLeaf = otherCa.issue(['localhost']);
  wrongHostLeaf = ca.issue(['mail.example.test']);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function env(port: number, extra: Record<string, string> = {}) {
  return loadSettings({
    SMTP_ENABLED: 'true',
    SMTP_HOST: 'localhost',
    SMTP_PORT: String(port),
    SMTP_USER: USER,
    SMTP_PASSWORD: PASS,
    SMTP_FROM_EMAIL: 'noreply@focusmate.com',
    SMTP_FROM_NAME: 'Focus Mate',
    SMTP_USE_TLS: 'true',
    SMTP_TLS_CA_FILE: caFile,
    ...extra,
  }).smtp;
}

function tlsServer(options: TestSmtpServerOptions = {}) {
  return startTestSmtpServer({ tls: leaf, auth: { user: USER, pass: PASS }, ...options });
}

async function failure(promise: Promise<unknown>): Promise<EmailError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EmailError);
    return error as EmailError;
  }
  throw new Error('expected the send to fail');
}

describe('email service: STARTTLS required (SMTP_USE_TLS=true, port != 465)', () => {
  it('upgrades with STARTTLS, authenticates and delivers over TLS', async () => {
    await using server = await tlsServer();
    const email = createEmailService(env(server.port), FAST);
    expect(email.security).toBe('starttls-required');
    const result = await email.sendVerificationSubmitted('leader@example.com', { teamName: 'Alpha' });
    expect(result).toMatchObject({ status: 'sent', attempts: 1, kind: 'verification-submitted' });
    const [mail] = server.received;
    expect(mail!.secure).toBe(true);
    expect(mail!.user).toBe(USER);
    expect(mail!.to).toEqual(['leader@example.com']);
    expect(mail!.parsed.from?.value).toEqual([{ name: 'Focus Mate', address: 'noreply@focusmate.com' }]);
    expect(server.authAttempts).toEqual([{ user: USER, secure: true }]);
  });

  it('fails with TLS_FAILED, and sends nothing in clear, when the server does not offer STARTTLS', async () => {
    await using server = await tlsServer({ starttls: false });
    const email = createEmailService(env(server.port), FAST);
    const error = await failure(email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' }));
    expect(error.code).toBe('TLS_FAILED');
    expect(error.message).toContain('SMTP_USE_TLS=true');
    expect(error.remedyKo).toContain('포트 465 사용 시 SSL 필요');
    expect(server.received).toHaveLength(0);
    expect(server.authAttempts).toHaveLength(0);
  });

  it('fails with TLS_FAILED when the certificate comes from an untrusted CA', async () => {
    await using server = await startTestSmtpServer({
      tls: untrustedLeaf,
      auth: { user: USER, pass: PASS },
    });
    const email = createEmailService(env(server.port), FAST);
    const error = await failure(email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' }));
    expect(error.code).toBe('TLS_FAILED');
    expect(server.received).toHaveLength(0);
    expect(server.authAttempts).toHaveLength(0);
  });

  it('fails with TLS_FAILED when the certificate does not name the host', async () => {
    await using server = await tlsServer({ tls: wrongHostLeaf });
    const email = createEmailService(env(server.port), FAST);
    const error = await failure(email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' }));
    expect(error.code).toBe('TLS_FAILED');
  });

  it('fails with TLS_FAILED without SMTP_TLS_CA_FILE: a private CA is not trusted by default', async () => {
    await using server = await tlsServer();
    const settings = loadSettings({
      SMTP_ENABLED: 'true',
      SMTP_HOST: 'localhost',
      SMTP_PORT: String(server.port),
      SMTP_USER: USER,
      SMTP_PASSWORD: PASS,
    }).smtp;
    const error = await failure(createEmailService(settings, FAST).verify());
    expect(error.code).toBe('TLS_FAILED');
  });
});

describe('email service: implicit TLS (SMTP_USE_SSL / port 465)', () => {
  it('picks implicit TLS for port 465 and for SMTP_USE_SSL=true', () => {
    expect(createEmailService(env(465), FAST).security).toBe('implicit-tls');
    expect(createEmailService(env(1465, { SMTP_USE_SSL: 'true' }), FAST).security).toBe('implicit-tls');
  });

  it('delivers over a connection encrypted from the first byte', async () => {
    await using server = await tlsServer({ secure: true });
    const email = createEmailService(env(server.port, { SMTP_USE_SSL: 'true' }), FAST);
    await email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' });
    expect(server.received[0]!.secure).toBe(true);
    expect(server.authAttempts).toEqual([{ user: USER, secure: true }]);
  });

  it('fails with TLS_FAILED against an untrusted certificate, before any AUTH', async () => {
    await using server = await startTestSmtpServer({
      secure: true,
      tls: untrustedLeaf,
      auth: { user: USER, pass: PASS },
    });
    const email = createEmailService(env(server.port, { SMTP_USE_SSL: 'true' }), FAST);
    const error = await failure(email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' }));
    expect(error.code).toBe('TLS_FAILED');
    expect(server.authAttempts).toHaveLength(0);
  });
});

describe('email service: no TLS (SMTP_USE_TLS=false)', () => {
  it('sends in clear without attempting STARTTLS even when offered', async () => {
    await using server = await tlsServer();
    const email = createEmailService(env(server.port, { SMTP_USE_TLS: 'false' }), FAST);
    expect(email.security).toBe('none');
    await email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' });
    expect(server.received[0]!.secure).toBe(false);
    expect(server.received[0]!.user).toBe(USER);
  });

  it('sends without AUTH when no user is set', async () => {
    await using server = await startTestSmtpServer({ starttls: false });
    const settings = loadSettings({
      SMTP_ENABLED: 'true',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(server.port),
      SMTP_USE_TLS: 'false',
    }).smtp;
    await createEmailService(settings, FAST).sendVerificationApproved('a@example.com', { teamName: 'T' });
    expect(server.authAttempts).toHaveLength(0);
    expect(server.received).toHaveLength(1);
  });
});

describe('email service: failures', () => {
  it('wrong password: 535 becomes AUTH_FAILED with the guide remedy', async () => {
    await using server = await tlsServer();
    const email = createEmailService(env(server.port, { SMTP_PASSWORD: 'wrong' }), FAST);
    const error = await failure(email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' }));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.responseCode).toBe(535);
    expect(error.message).toContain('app password');
    expect(error.remedyKo).toContain('앱 비밀번호');
    expect(error.attempts).toBe(1);
    expect(server.received).toHaveLength(0);
  });

  it('a listener that never greets: CONNECTION_TIMEOUT after the greeting timeout', async () => {
    await using silent = await startSilentServer();
    const email = createEmailService(env(silent.port), { ...FAST, timeouts: { greetingMs: 200 } });
    const error = await failure(email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' }));
    expect(error.code).toBe('CONNECTION_TIMEOUT');
    expect(error.message).toContain('firewall');
    expect(error.remedyKo).toContain('방화벽');
  });

  it('nothing listening: CONNECTION_REFUSED', async () => {
    const email = createEmailService(env(await closedPort()), FAST);
    const error = await failure(email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' }));
    expect(error.code).toBe('CONNECTION_REFUSED');
    expect(error.message).toContain('SMTP_HOST');
  });

  it('552 at end of data: MESSAGE_TOO_LARGE, not retried', async () => {
    await using server = await tlsServer({
      onMessage: () => ({ code: 552, message: '5.3.4 Message size exceeds fixed limit' }),
    });
    const email = createEmailService(env(server.port), FAST);
    const error = await failure(email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' }));
    expect(error.code).toBe('MESSAGE_TOO_LARGE');
    expect(error.responseCode).toBe(552);
    expect(server.connections()).toBe(1);
  });

  it('550 at RCPT TO: RECIPIENT_REJECTED, not retried', async () => {
    await using server = await tlsServer({
      onRcptTo: (address) =>
        address === 'nobody@example.com' ? { code: 550, message: '5.1.1 Mailbox unavailable' } : undefined,
    });
    const email = createEmailService(env(server.port), FAST);
    const error = await failure(email.sendVerificationApproved('nobody@example.com', { teamName: 'Alpha' }));
    expect(error.code).toBe('RECIPIENT_REJECTED');
    expect(error.responseCode).toBe(550);
    expect(server.connections()).toBe(1);
  });

  it('553 at RCPT TO: RECIPIENT_REJECTED', async () => {
    await using server = await tlsServer({
      onRcptTo: () => ({ code: 553, message: '5.1.3 Bad address syntax' }),
    });
    const error = await failure(
      createEmailService(env(server.port), FAST).sendVerificationApproved('x@example.com', { teamName: 'A' }),
    );
    expect(error.code).toBe('RECIPIENT_REJECTED');
    expect(error.responseCode).toBe(553);
  });

  it('a transient 451 is retried on a new connection and then delivered', async () => {
    const logger = recordingLogger();
    await using server = await tlsServer({
      onMessage: (index) => (index === 0 ? { code: 451, message: '4.3.0 Try again later' } : undefined),
    });
    const email = createEmailService(env(server.port), { ...FAST, logger });
    const result = await email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' });
    expect(result).toMatchObject({ status: 'sent', attempts: 2 });
    expect(server.received).toHaveLength(1);
    expect(server.connections()).toBe(2);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        details: expect.objectContaining({ responseCode: 451, attempt: 1 }),
      }),
    );
  });

  it('a persistent 421 gives up after the bounded attempts with SERVER_ERROR', async () => {
    await using server = await tlsServer({
      onMessage: () => ({ code: 421, message: '4.7.0 Too busy, closing' }),
    });
    const email = createEmailService(env(server.port), { ...FAST, retry: { attempts: 3, backoffMs: 1 } });
    const error = await failure(email.sendVerificationApproved('leader@example.com', { teamName: 'Alpha' }));
    expect(error.code).toBe('SERVER_ERROR');
    expect(error.transient).toBe(true);
    expect(error.attempts).toBe(3);
    expect(error.message).toContain('after 3 attempts');
    expect(server.connections()).toBe(3);
    expect(server.received).toHaveLength(0);
  });

  it('a permanent 554 is not retried', async () => {
    await using server = await tlsServer({
      onMessage: () => ({ code: 554, message: '5.7.1 Rejected as spam' }),
    });
    const error = await failure(
      createEmailService(env(server.port), FAST).sendVerificationApproved('x@example.com', { teamName: 'A' }),
    );
    expect(error.code).toBe('SERVER_ERROR');
    expect(error.transient).toBe(false);
    expect(server.connections()).toBe(1);
  });

  it.each(['a@b.c, evil@example.com', 'Name <a@b.c>', 'no-at-sign', 'a@b.c\r\nBcc: x@y.z'])(
    'refuses the recipient %j before connecting',
    async (to) => {
      await using server = await tlsServer();
      const email = createEmailService(env(server.port), FAST);
      const error = await failure(email.sendVerificationApproved(to, { teamName: 'A' }));
      expect(error.code).toBe('INVALID_ADDRESS');
      expect(server.connections()).toBe(0);
    },
  );

  it('an unreadable SMTP_TLS_CA_FILE is a ConfigError naming the variable', () => {
    expect(() => createEmailService(env(587, { SMTP_TLS_CA_FILE: join(dir, 'missing.pem') }), FAST)).toThrow(
      /SMTP_TLS_CA_FILE=.*missing\.pem.*readable PEM certificate/,
    );
  });
});

describe('email service: SMTP_ENABLED=false', () => {
  it('never connects, logs what it would have sent and says it skipped', async () => {
    await using server = await tlsServer();
    const logger = recordingLogger();
    const settings = { ...env(server.port), enabled: false };
    const email = createEmailService(settings, { ...FAST, logger });
    const result = await email.sendTeamInvitation('member@example.com', {
      teamName: '집중 스터디',
      acceptUrl: 'https://focusmate.example/invitations/abc/accept',
    });
    expect(result).toEqual({
      status: 'skipped',
      kind: 'team-invitation',
      to: 'member@example.com',
      subject: expect.stringContaining('집중 스터디'),
      reason: 'SMTP_DISABLED',
    });
    await email.verify();
    expect(server.connections()).toBe(0);
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0]!.details).toMatchObject({
      to: 'member@example.com',
      from: '"Focus Mate" <noreply@focusmate.com>',
      text: expect.stringContaining('https://focusmate.example/invitations/abc/accept'),
    });
  });
});

describe('email content', () => {
  it('Korean subject and body arrive intact, with HTML and text parts, from "SMTP_FROM_NAME" <SMTP_FROM_EMAIL>', async () => {
    await using server = await tlsServer();
    const email = createEmailService(env(server.port, { SMTP_FROM_NAME: '포커스 메이트' }), FAST);
    await email.sendVerificationRejected('leader@example.com', {
      teamName: '새벽 코딩 모임',
      reason: '재직 증명서의 이름이 신청서와 다릅니다.',
    });
    const { parsed } = server.received[0]!;
    expect(parsed.subject).toBe("[Focus Mate] '새벽 코딩 모임' 팀 인증이 반려되었습니다");
    expect(parsed.from?.value).toEqual([{ name: '포커스 메이트', address: 'noreply@focusmate.com' }]);
    expect(parsed.text).toContain('반려 사유: 재직 증명서의 이름이 신청서와 다릅니다.');
    expect(parsed.html).toContain('반려 사유: 재직 증명서의 이름이 신청서와 다릅니다.');
    expect(parsed.html).toContain('<meta charset="utf-8">');
  });

  it('escapes every interpolated value in the HTML part', async () => {
    await using server = await tlsServer();
    const email = createEmailService(env(server.port), FAST);
    await email.sendTeamInvitation('member@example.com', {
      teamName: '<script>alert("x")</script>',
      inviterName: 'Mallory & "Co" <b>',
      acceptUrl: 'https://focusmate.example/accept?token=a"b&c=<d>',
    });
    const { parsed } = server.received[0]!;
    const html = String(parsed.html);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('Mallory &amp; &quot;Co&quot; &lt;b&gt;');
    expect(html).toContain('href="https://focusmate.example/accept?token=a%22b&amp;c=%3Cd%3E"');
    expect(parsed.text).toContain('<script>alert("x")</script>');
  });

  it('keeps header values on one line', async () => {
    await using server = await tlsServer();
    const email = createEmailService(env(server.port), FAST);
    await email.sendVerificationApproved('leader@example.com', {
      teamName: 'Team\r\nBcc: victim@example.com',
    });
    const { parsed, to } = server.received[0]!;
    expect(to).toEqual(['leader@example.com']);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.subject).toBe("[Focus Mate] 'Team Bcc: victim@example.com' 팀 인증이 승인되었습니다");
  });

  it('the invitation carries the accept link in both parts', async () => {
    await using server = await tlsServer();
    const email = createEmailService(env(server.port), FAST);
    await email.sendTeamInvitation('member@example.com', {
      teamName: '알파',
      inviterName: '김리더',
      acceptUrl: 'https://focusmate.example/invitations/tok123/accept',
    });
    const { parsed } = server.received[0]!;
    expect(parsed.subject).toBe("[Focus Mate] 김리더님이 '알파' 팀에 초대했습니다");
    expect(parsed.text).toContain('https://focusmate.example/invitations/tok123/accept');
    expect(parsed.html).toContain('href="https://focusmate.example/invitations/tok123/accept"');
  });

  it('refuses a non-http accept link', async () => {
    const email = createEmailService({ ...env(587), enabled: false }, FAST);
    await expect(
      email.sendTeamInvitation('member@example.com', { teamName: 'A', acceptUrl: 'javascript:alert(1)' }),
    ).rejects.toThrow(/http\(s\)/);
  });
});
