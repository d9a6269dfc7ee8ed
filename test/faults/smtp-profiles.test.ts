// Provider profiles: the captured-mail server answering like Gmail, SES and SendGrid where the
// app notices, and the EmailError the app's email service turns each answer into.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailError } from '../../src/index.ts';
import { CONTENT, FROM, type MailRig, SMTP_PASSWORD, SMTP_USER, startMailRig } from './mail-app.ts';

async function failure(p: Promise<unknown>): Promise<EmailError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EmailError);
  return err as EmailError;
}

describe('gmail profile', () => {
  let rig: MailRig;
  beforeAll(async () => {
    rig = await startMailRig({ profile: 'gmail' });
  });
  afterAll(() => rig?.stop());

  it("a wrong password gets Gmail's two-line 535 5.7.8: AUTH_FAILED with Gmail's words", async () => {
    const err = await failure(
      rig.app({ SMTP_PASSWORD: 'my-google-account-password' }).email.send('a@example.com', CONTENT),
    );
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.responseCode).toBe(535);
    expect(err.response).toMatch(
      /^535-5\.7\.8 Username and Password not accepted\. For more information, go to\n535 5\.7\.8 {2}https:\/\/support\.google\.com\/mail\/\?p=BadCredentials \S+ - gsmtp$/,
    );
    expect(err.remedy).toMatch(/app password/);
  });

  it('the app password is accepted', async () => {
    await expect(rig.app().email.send('a@example.com', CONTENT)).resolves.toMatchObject({ status: 'sent' });
    expect(rig.mail.messages()[0]?.session.auth?.user).toBe(SMTP_USER);
  });

  it("MAIL without AUTH gets Gmail's 530 5.7.0", async () => {
    const err = await failure(
      rig.app({ SMTP_USER: '', SMTP_PASSWORD: '' }).email.send('a@example.com', CONTENT),
    );
    expect(err.responseCode).toBe(530);
    expect(err.response).toMatch(
      /^530-5\.7\.0 Authentication Required\. .*\n530 5\.7\.0 {2}https:\/\/support\.google\.com\/mail\/\?p=WantAuthError /,
    );
  });
});

describe('ses profile', () => {
  let rig: MailRig;
  beforeAll(async () => {
    rig = await startMailRig({
      profile: { name: 'ses', verifiedIdentities: ['focusmate.com', 'tester@example.org'] },
    });
  });
  afterAll(() => rig?.stop());

  it('a verified domain sends to anyone (out of the sandbox)', async () => {
    await expect(rig.app().email.send('anyone@example.net', CONTENT)).resolves.toMatchObject({
      status: 'sent',
    });
  });

  it("an unverified sender: SES's 554 at the end of DATA, nothing stored; the app gets SENDER_REJECTED (permanent)", async () => {
    const before = rig.mail.messages().length;
    const err = await failure(
      rig.app({ SMTP_FROM_EMAIL: 'noreply@unverified.example' }).email.send('anyone@example.net', CONTENT),
    );
    expect(err.responseCode).toBe(554);
    expect(err.response).toBe(
      '554 Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: Focus Mate <noreply@unverified.example>, noreply@unverified.example',
    );
    // An unverified identity is the sender's problem, with its own remedy; not retried.
    expect(err.code).toBe('SENDER_REJECTED');
    expect(err.message).toContain('SMTP_FROM_EMAIL');
    expect(err.transient).toBe(false);
    expect(err.attempts).toBe(1);
    expect(rig.mail.messages()).toHaveLength(before);
  });

  it('a wrong SMTP password: 535 Authentication Credentials Invalid (AUTH_FAILED)', async () => {
    const err = await failure(
      rig.app({ SMTP_PASSWORD: 'the-iam-secret-key' }).email.send('a@example.net', CONTENT),
    );
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.response).toBe('535 Authentication Credentials Invalid');
  });

  it('in the sandbox, unverified recipients are refused with the same wording', async () => {
    const sandbox = await startMailRig({
      profile: {
        name: 'ses',
        verifiedIdentities: ['focusmate.com', 'tester@example.org'],
        sandbox: true,
        region: 'ap-northeast-2',
      },
    });
    try {
      const app = sandbox.app();
      await expect(app.email.send('tester@example.org', CONTENT)).resolves.toMatchObject({ status: 'sent' });
      const err = await failure(app.email.send('member@example.net', CONTENT));
      expect(err.response).toBe(
        '554 Message rejected: Email address is not verified. The following identities failed the check in region AP-NORTHEAST-2: member@example.net',
      );
      // SES words a sandboxed recipient like an unverified sender; the remedy names both.
      expect(err.code).toBe('SENDER_REJECTED');
    } finally {
      await sandbox.stop();
    }
  });
});

describe('sendgrid profile', () => {
  let rig: MailRig;
  beforeAll(async () => {
    rig = await startMailRig({
      profile: { name: 'sendgrid', verifiedIdentities: [FROM] },
      auth: {
        users: [
          { user: 'apikey', pass: 'SG.local-api-key' },
          { user: SMTP_USER, pass: SMTP_PASSWORD },
        ],
      },
    });
  });
  afterAll(() => rig?.stop());

  it("a user other than apikey gets SendGrid's 535, even with a password the server knows", async () => {
    const err = await failure(rig.app().email.send('a@example.com', CONTENT));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.response).toBe(
      '535 Authentication failed: The provided authorization grant is invalid, expired, or revoked',
    );
  });

  it('apikey with the API key sends; an unverified From gets the Sender Identity 550', async () => {
    const app = rig.app({ SMTP_USER: 'apikey', SMTP_PASSWORD: 'SG.local-api-key' });
    await expect(app.email.send('a@example.com', CONTENT)).resolves.toMatchObject({ status: 'sent' });
    const other = rig.app({
      SMTP_USER: 'apikey',
      SMTP_PASSWORD: 'SG.local-api-key',
      SMTP_FROM_EMAIL: 'x@other.example',
    });
    const err = await failure(other.email.send('a@example.com', CONTENT));
    expect(err.responseCode).toBe(550);
    expect(err.response).toMatch(/^550 The from address does not match a verified Sender Identity\./);
    expect(err.code).toBe('SENDER_REJECTED');
  });
});
