// Every listener and TLS mode with real clients: nodemailer and swaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailServer, startMailServer } from '../../stack/mail/server.ts';
import { AUTH_FAILED_MESSAGE } from '../../stack/mail/smtp/auth.ts';
import { caFile, swaks, type TempFile, transport } from './helpers.ts';

const users = [{ user: 'dev@focusmate.local', pass: 'local-app-password' }];
const good = { user: users[0]!.user, pass: users[0]!.pass };

describe('submission, TLS optional, strict AUTH', () => {
  let mail: MailServer;
  let ca: TempFile;
  beforeAll(async () => {
    mail = await startMailServer({ auth: { users } });
    ca = caFile(mail);
  });
  afterAll(async () => {
    ca?.[Symbol.dispose]();
    await mail?.stop();
  });

  it('accepts nodemailer over STARTTLS with the right credentials and records the session', async () => {
    const info = await transport(mail, { auth: good, requireTLS: true }).sendMail({
      from: 'noreply@focusmate.com',
      to: 'a@example.com',
      subject: 'starttls-ok',
      text: 'x',
    });
    expect(info.response).toMatch(/^250 2\.6\.0 /);
    const [m] = await mail.waitFor({ subject: 'starttls-ok', timeout: 2000 });
    expect(m!.session.listener).toBe('submission');
    expect(m!.session.tls).toMatchObject({ upgraded: true });
    expect(m!.session.tls!.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(m!.session.auth).toEqual({ mechanism: 'PLAIN', user: 'dev@focusmate.local' });
    expect(m!.scopes).toContain('dev@focusmate.local');
  });

  it('accepts a plain (no TLS) session when TLS is optional', async () => {
    await transport(mail, { auth: good, ignoreTLS: true }).sendMail({
      from: 'noreply@focusmate.com',
      to: 'a@example.com',
      subject: 'plain-ok',
      text: 'x',
    });
    const [m] = await mail.waitFor({ subject: 'plain-ok', timeout: 2000 });
    expect(m!.session.tls).toBeNull();
  });

  it('refuses wrong credentials with 535 5.7.8 and stores nothing', async () => {
    const before = mail.store.count;
    const err = await transport(mail, { auth: { user: good.user, pass: 'wrong' }, requireTLS: true })
      .sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'bad-auth', text: 'x' })
      .catch((e: Error & { responseCode?: number; response?: string }) => e);
    expect((err as { responseCode?: number }).responseCode).toBe(535);
    expect((err as { response?: string }).response).toBe(`535 5.7.8 ${AUTH_FAILED_MESSAGE}`);
    expect(mail.store.count).toBe(before);
  });

  it('refuses MAIL without AUTH with 530', async () => {
    const err = await transport(mail, { requireTLS: true })
      .sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'no-auth', text: 'x' })
      .catch((e: Error) => e);
    expect((err as { response?: string }).response).toMatch(/^530 5\.7\.0 Authentication required/);
  });

  it('swaks: STARTTLS + AUTH LOGIN, verifying the certificate against the CA', async () => {
    const r = await swaks([
      '--port',
      String(mail.smtpPort),
      '--tls',
      '--tls-verify',
      '--tls-ca-path',
      ca.path,
      '--tls-sni',
      'localhost',
      '--auth',
      'LOGIN',
      '--auth-user',
      good.user,
      '--auth-password',
      good.pass,
      '--from',
      'swaks@example.com',
      '--to',
      'x@example.com',
      '--header',
      'Subject: swaks-login',
    ]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [m] = await mail.waitFor({ subject: 'swaks-login', timeout: 2000 });
    expect(m!.session.auth!.mechanism).toBe('LOGIN');
  });

  it('swaks: AUTH CRAM-MD5', async () => {
    const r = await swaks([
      '--port',
      String(mail.smtpPort),
      '--tls',
      '--tls-ca-path',
      ca.path,
      '--auth',
      'CRAM-MD5',
      '--auth-user',
      good.user,
      '--auth-password',
      good.pass,
      '--from',
      'swaks@example.com',
      '--to',
      'x@example.com',
      '--header',
      'Subject: swaks-cram',
    ]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [m] = await mail.waitFor({ subject: 'swaks-cram', timeout: 2000 });
    expect(m!.session.auth!.mechanism).toBe('CRAM-MD5');
  });

  it('swaks: wrong password gets 535 5.7.8', async () => {
    const r = await swaks([
      '--port',
      String(mail.smtpPort),
      '--tls',
      '--tls-ca-path',
      ca.path,
      '--auth',
      'PLAIN',
      '--auth-user',
      good.user,
      '--auth-password',
      'nope',
      '--from',
      'swaks@example.com',
      '--to',
      'x@example.com',
    ]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('<~* 535 5.7.8 Username and Password not accepted');
  });
});

describe('submission, TLS required', () => {
  let mail: MailServer;
  let ca: TempFile;
  beforeAll(async () => {
    mail = await startMailServer({ auth: { users }, tls: { mode: 'required' } });
    ca = caFile(mail);
  });
  afterAll(async () => {
    ca?.[Symbol.dispose]();
    await mail?.stop();
  });

  it('answers MAIL before STARTTLS with 530 5.7.0 Must issue a STARTTLS command first', async () => {
    const r = await swaks([
      '--port',
      String(mail.smtpPort),
      '--from',
      'swaks@example.com',
      '--to',
      'x@example.com',
    ]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('<** 530 5.7.0 Must issue a STARTTLS command first');
    expect(mail.store.count).toBe(0);
  });

  it('refuses AUTH over the clear channel with 530 before any credentials are taken', async () => {
    const r = await swaks([
      '--port',
      String(mail.smtpPort),
      '--auth',
      'LOGIN',
      '--auth-user',
      good.user,
      '--auth-password',
      good.pass,
      '--from',
      'swaks@example.com',
      '--to',
      'x@example.com',
    ]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('530 5.7.0 Must issue a STARTTLS command first');
    expect(r.stdout).not.toContain('334 VXNlcm5hbWU6');
  });

  it('nodemailer with requireTLS sends after STARTTLS', async () => {
    await transport(mail, { auth: good, requireTLS: true }).sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'required-ok',
      text: 'x',
    });
    const [m] = await mail.waitFor({ subject: 'required-ok', timeout: 2000 });
    expect(m!.session.tls?.upgraded).toBe(true);
  });

  it('swaks with --tls sends', async () => {
    const r = await swaks([
      '--port',
      String(mail.smtpPort),
      '--tls',
      '--tls-verify',
      '--tls-ca-path',
      ca.path,
      '--tls-sni',
      'localhost',
      '--auth',
      'PLAIN',
      '--auth-user',
      good.user,
      '--auth-password',
      good.pass,
      '--from',
      'swaks@example.com',
      '--to',
      'x@example.com',
      '--header',
      'Subject: swaks-required',
    ]);
    expect(r.exitCode, r.stdout).toBe(0);
    await mail.waitFor({ subject: 'swaks-required', timeout: 2000 });
  });
});

describe('implicit TLS (465 style)', () => {
  let mail: MailServer;
  let ca: TempFile;
  beforeAll(async () => {
    mail = await startMailServer({ auth: { users }, tls: { mode: 'required' } });
    ca = caFile(mail);
  });
  afterAll(async () => {
    ca?.[Symbol.dispose]();
    await mail?.stop();
  });

  it('nodemailer secure: true, verifying the certificate', async () => {
    await transport(mail, { implicitTls: true, auth: good }).sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'implicit-ok',
      text: 'x',
    });
    const [m] = await mail.waitFor({ subject: 'implicit-ok', timeout: 2000 });
    expect(m!.session.listener).toBe('implicit-tls');
    expect(m!.session.tls).toMatchObject({ upgraded: false });
  });

  it('nodemailer refuses the certificate without our CA (no rejectUnauthorized: false anywhere)', async () => {
    const err = await transport(mail, { implicitTls: true, auth: good, tls: { servername: 'localhost' } })
      .sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'untrusted', text: 'x' })
      .catch((e: Error) => e);
    expect(String(err)).toMatch(/certificate/i);
  });

  it('swaks --tls-on-connect', async () => {
    const r = await swaks([
      '--port',
      String(mail.smtpsPort),
      '--tls-on-connect',
      '--tls-verify',
      '--tls-ca-path',
      ca.path,
      '--tls-sni',
      'localhost',
      '--auth',
      'LOGIN',
      '--auth-user',
      good.user,
      '--auth-password',
      good.pass,
      '--from',
      'swaks@example.com',
      '--to',
      'x@example.com',
      '--header',
      'Subject: swaks-465',
    ]);
    expect(r.exitCode, r.stdout).toBe(0);
    const [m] = await mail.waitFor({ subject: 'swaks-465', timeout: 2000 });
    expect(m!.session.listener).toBe('implicit-tls');
  });
});

describe('AUTH off and accept-any', () => {
  it('off: AUTH not advertised, mail accepted without it', async () => {
    await using mail = await startMailServer({ auth: 'off' });
    const r = await swaks([
      '--port',
      String(mail.smtpPort),
      '--from',
      'a@example.com',
      '--to',
      'b@example.com',
    ]);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/250-AUTH/);
    await mail.waitFor({ timeout: 2000 });
  });

  it('accept-any: any credentials, the username becomes the scope', async () => {
    await using mail = await startMailServer({ auth: 'accept-any' });
    await transport(mail, { auth: { user: 'worker-7', pass: 'whatever' } }).sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'any',
      text: 'x',
    });
    const [m] = await mail.waitFor({ scope: 'worker-7', timeout: 2000 });
    expect(m!.session.auth).toEqual({ mechanism: 'PLAIN', user: 'worker-7' });
  });
});
