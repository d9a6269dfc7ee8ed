// Unit tests, no sockets: how a failed SMTP step is explained, per provider and per reply.
import { describe, expect, test } from 'vitest';
import { loadSettings } from '../../src/config/index.ts';
import { diagnoseSmtpFailure } from '../../stack/doctor/smtp-diagnosis.ts';
import type { SmtpProbeFailure } from '../../stack/doctor/smtp-probe.ts';

function smtp(env: Record<string, string>) {
  return loadSettings({ SMTP_ENABLED: 'true', SMTP_USER: 'me@example.com', SMTP_PASSWORD: 'pw', ...env })
    .smtp;
}

const rejected535: SmtpProbeFailure = {
  step: 'auth',
  message: 'AUTH PLAIN was refused: 535 5.7.8 Username and Password not accepted',
  code: '535',
  timedOut: false,
  reply: { code: 535, lines: ['5.7.8 Username and Password not accepted'] },
};

describe('"Authentication failed", per provider', () => {
  test.each([
    ['smtp.gmail.com', 'Gmail needs an app password'],
    ['email-smtp.us-east-1.amazonaws.com', 'AWS SES needs its SMTP credentials'],
    ['smtp.sendgrid.net', 'SendGrid needs SMTP_USER=apikey'],
    ['mail.example.com', 'check SMTP_USER and SMTP_PASSWORD'],
  ])('%s: the fix names what that provider expects', (host, fix) => {
    const d = diagnoseSmtpFailure(smtp({ SMTP_HOST: host }), rejected535);
    expect(d).toMatchObject({ section: 'smtp-auth-failed', code: '535' });
    expect(d.fix).toContain(fix);
  });
});

describe('replies that mean TLS or AUTH is missing', () => {
  test('530 "Must issue a STARTTLS command first" at AUTH: the TLS entry', () => {
    const d = diagnoseSmtpFailure(smtp({ SMTP_HOST: 'smtp.gmail.com', SMTP_USE_TLS: 'false' }), {
      step: 'auth',
      message: 'AUTH PLAIN was refused: 530 5.7.0 Must issue a STARTTLS command first',
      code: '530',
      timedOut: false,
      reply: { code: 530, lines: ['5.7.0 Must issue a STARTTLS command first'] },
    });
    expect(d).toMatchObject({ section: 'smtp-tls-failed', fix: 'set SMTP_USE_TLS=true' });
  });

  test('AUTH offered only after STARTTLS: the TLS entry', () => {
    const d = diagnoseSmtpFailure(smtp({ SMTP_USE_TLS: 'false' }), {
      step: 'auth',
      message: 'the server offers no AUTH before STARTTLS, and SMTP_USER is set',
      timedOut: false,
    });
    expect(d.section).toBe('smtp-tls-failed');
  });

  test('530 at MAIL FROM with SMTP_USER empty: the server wants AUTH the app does not send', () => {
    const d = diagnoseSmtpFailure(loadSettings({ SMTP_ENABLED: 'true' }).smtp, {
      step: 'mail-from',
      message: 'MAIL FROM:<noreply@focusmate.com> was refused: 530 5.7.0 Authentication required',
      code: '530',
      timedOut: false,
      reply: { code: 530, lines: ['5.7.0 Authentication required'] },
    });
    expect(d).toMatchObject({ section: 'smtp-auth-failed' });
    expect(d.cause).toContain('SMTP_USER is empty');
  });

  test('a refused sender is no guide entry of its own: it says to verify the sender', () => {
    const d = diagnoseSmtpFailure(smtp({}), {
      step: 'mail-from',
      message: 'MAIL FROM:<noreply@focusmate.com> was refused: 553 5.7.1 Sender not allowed',
      code: '553',
      timedOut: false,
      reply: { code: 553, lines: ['5.7.1 Sender not allowed'] },
    });
    expect(d.section).toBeUndefined();
    expect(d.cause).toContain('SMTP_FROM_EMAIL=noreply@focusmate.com');
  });
});

describe('connection failures', () => {
  test('a dropped SYN (connect timeout) and an unknown host: the "Connection timeout" entry', () => {
    const s = smtp({ SMTP_HOST: 'smtp.gmail.com' });
    const timeout = diagnoseSmtpFailure(s, {
      step: 'connect',
      message: 'x',
      code: 'ETIMEDOUT',
      timedOut: true,
    });
    expect(timeout).toMatchObject({ section: 'smtp-connection-timeout' });
    expect(timeout.cause).toContain('firewall');
    const dns = diagnoseSmtpFailure(s, { step: 'connect', message: 'x', code: 'ENOTFOUND', timedOut: false });
    expect(dns).toMatchObject({
      section: 'smtp-connection-timeout',
      detail: 'SMTP_HOST=smtp.gmail.com does not resolve (ENOTFOUND)',
    });
  });

  test('a certificate for another name, and one expired', () => {
    const s = smtp({ SMTP_HOST: 'mail.example.com' });
    const tls = (code: string) =>
      diagnoseSmtpFailure(s, { step: 'tls', message: code, code, timedOut: false });
    expect(tls('ERR_TLS_CERT_ALTNAME_INVALID').cause).toContain('not valid for SMTP_HOST=mail.example.com');
    expect(tls('CERT_HAS_EXPIRED').cause).toContain('validity period');
    expect(tls('DEPTH_ZERO_SELF_SIGNED_CERT').fix).toMatch(/^set SMTP_TLS_CA_FILE/);
  });
});
