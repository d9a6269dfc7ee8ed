// Fault injection in the captured-mail SMTP server, seen through the app's own email service
// (nodemailer, configured from env): what it retries, what it gives up on, and which EmailError
// code each failure of the guide's troubleshooting section surfaces as.
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmailError } from '../../src/index.ts';
import { FaultError } from '../../stack/faults/errors.ts';
import { startMailServer } from '../../stack/mail/server.ts';
import { CONTENT, type MailRig, startMailRig } from './mail-app.ts';

let rig: MailRig;

beforeAll(async () => {
  rig = await startMailRig();
});
afterAll(() => rig?.stop());
afterEach(async () => {
  rig.mail.faults.clear();
  await rig.mail.clear();
});

async function failure(p: Promise<unknown>): Promise<EmailError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EmailError);
  return err as EmailError;
}

describe('SMTP faults: transient and permanent replies', () => {
  it('a 421 on the first DATA: the email service retries on a new connection and the message arrives once', async () => {
    const id = rig.mail.faults.add({
      match: { stage: 'DATA' },
      action: {
        type: 'error',
        code: 421,
        enhancedCode: '4.7.0',
        message: 'Try again later, closing connection.',
      },
      first: 1,
    });
    const result = await rig.app().email.send('member@example.com', CONTENT);
    expect(result).toMatchObject({ status: 'sent', attempts: 2 });
    const [message] = await rig.mail.waitFor({ timeout: 2000 });
    expect(message?.subject).toBe(CONTENT.subject);
    await rig.mail.expectNone({ afterSeq: message?.seq, timeout: 100 });
    expect(rig.mail.messages()).toHaveLength(1);
    expect(rig.mail.faults.list()).toMatchObject([{ id, matched: 1, applied: 1, status: 'exhausted' }]);
  });

  it('a persistent 451: EmailError SERVER_ERROR (transient) after 3 attempts, nothing stored', async () => {
    rig.mail.faults.add({ match: { stage: 'DATA' }, action: { type: 'error', code: 451 } });
    const err = await failure(rig.app().email.send('member@example.com', CONTENT));
    expect(err.code).toBe('SERVER_ERROR');
    expect(err.transient).toBe(true);
    expect(err.attempts).toBe(3);
    expect(err.responseCode).toBe(451);
    expect(err.response).toBe('451 4.3.0 Mail server temporarily rejected message.');
    expect(rig.mail.faults.list()[0]).toMatchObject({ matched: 3, applied: 3 });
    expect(rig.mail.messages()).toEqual([]);
  });

  it('550 5.1.1 at RCPT for one recipient only: RECIPIENT_REJECTED for it, the others get through', async () => {
    rig.mail.faults.add({
      match: { stage: 'RCPT', recipient: 'ghost@*' },
      action: { type: 'error', code: 550, enhancedCode: '5.1.1' },
    });
    const app = rig.app();
    const err = await failure(app.email.send('ghost@example.com', CONTENT));
    expect(err.code).toBe('RECIPIENT_REJECTED');
    expect(err.response).toBe('550 5.1.1 The email account that you tried to reach does not exist.');
    expect(err.attempts).toBe(1);
    await expect(app.email.send('member@example.com', CONTENT)).resolves.toMatchObject({ status: 'sent' });
    expect(rig.mail.messages().map((m) => m.session.rcptTo)).toEqual([['member@example.com']]);
  });

  it('552 5.3.4 at DATA: MESSAGE_TOO_LARGE', async () => {
    rig.mail.faults.add({ match: { stage: 'DATA' }, action: { type: 'error', code: 552 } });
    const err = await failure(rig.app().email.send('member@example.com', CONTENT));
    expect(err.code).toBe('MESSAGE_TOO_LARGE');
    expect(err.response).toBe('552 5.3.4 Message size exceeds fixed limit.');
  });

  it('a rule may match the sender and the AUTH user (scope)', async () => {
    rig.mail.faults.add({
      match: { stage: 'MAIL', sender: '*@focusmate.com', scope: 'dev@*' },
      action: { type: 'error', code: 451, enhancedCode: '4.3.0', message: 'Try later' },
      first: 1,
    });
    await expect(rig.app().email.send('member@example.com', CONTENT)).resolves.toMatchObject({ attempts: 2 });
    rig.mail.faults.clear();
    rig.mail.faults.add({
      match: { stage: 'MAIL', scope: 'somebody-else' },
      action: { type: 'error', code: 451 },
    });
    await expect(rig.app().email.send('member@example.com', CONTENT)).resolves.toMatchObject({ attempts: 1 });
  });
});

describe('SMTP faults: connections and TLS', () => {
  it('never greeting: EmailError CONNECTION_TIMEOUT once the greeting timeout passes', async () => {
    rig.mail.faults.add({ match: { stage: 'connect' }, action: { type: 'no-response' } });
    const app = rig.app({}, { timeouts: { connectionMs: 2000, greetingMs: 300, socketMs: 2000 } });
    const started = performance.now();
    const err = await failure(app.email.send('member@example.com', CONTENT));
    expect(err.code).toBe('CONNECTION_TIMEOUT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    expect(err.attempts).toBe(1);
  });

  it('STARTTLS answered, then the handshake aborted with an alert: TLS_FAILED', async () => {
    rig.mail.faults.add({ match: { stage: 'STARTTLS' }, action: { type: 'tls-failure' } });
    const err = await failure(rig.app().email.send('member@example.com', CONTENT));
    expect(err.code).toBe('TLS_FAILED');
    expect(err.detail).toMatch(/handshake failure/i);
  });

  it('STARTTLS answered, then the connection reset mid-handshake: the app sees CONNECTION_FAILED', async () => {
    rig.mail.faults.add({ match: { stage: 'STARTTLS' }, action: { type: 'tls-failure', mode: 'reset' } });
    const err = await failure(rig.app().email.send('member@example.com', CONTENT));
    // nodemailer reports a bare socket error (ESOCKET / ECONNRESET), with nothing saying a
    // handshake was under way, so the email service cannot tell it from any other reset.
    expect(err.code).toBe('CONNECTION_FAILED');
    expect(err.detail).toMatch(/ECONNRESET/);
  });

  it('the implicit-TLS listener presenting a certificate from an untrusted CA: TLS_FAILED', async () => {
    rig.mail.faults.add({
      match: { stage: 'connect', listener: 'implicit-tls' },
      action: { type: 'tls-failure', mode: 'untrusted-cert' },
    });
    const app = rig.app({ SMTP_PORT: String(rig.mail.smtpsPort), SMTP_USE_SSL: 'true' });
    const err = await failure(app.email.send('member@example.com', CONTENT));
    expect(err.code).toBe('TLS_FAILED');
    expect(err.detail).toMatch(/self[- ]signed certificate in certificate chain|unable to verify/i);
    // The submission listener is not affected by a rule for the other one.
    await expect(rig.app().email.send('member@example.com', CONTENT)).resolves.toMatchObject({
      status: 'sent',
    });
  });

  it('the implicit-TLS handshake aborted with an alert: TLS_FAILED; with a reset the app sees the connection fail', async () => {
    const id = rig.mail.faults.add({ match: { stage: 'connect' }, action: { type: 'tls-failure' } });
    const app = rig.app({ SMTP_PORT: String(rig.mail.smtpsPort), SMTP_USE_SSL: 'true' });
    expect((await failure(app.email.send('member@example.com', CONTENT))).code).toBe('TLS_FAILED');
    rig.mail.faults.remove(id);
    rig.mail.faults.add({ match: { stage: 'connect' }, action: { type: 'tls-failure', mode: 'reset' } });
    // A reset carries no TLS error code: nodemailer reports a socket error (ECONNRESET).
    expect((await failure(app.email.send('member@example.com', CONTENT))).code).toBe('CONNECTION_FAILED');
  });

  it('a connection dropped after the message was sent: CONNECTION_FAILED, not retried, nothing stored', async () => {
    rig.mail.faults.add({ match: { stage: 'DATA' }, action: { type: 'drop' } });
    const err = await failure(rig.app().email.send('member@example.com', CONTENT));
    expect(err.code).toBe('CONNECTION_FAILED');
    expect(err.attempts).toBe(1);
    expect(rig.mail.messages()).toEqual([]);
  });

  it('a delay holds the command, then the session goes on', async () => {
    rig.mail.faults.add({ match: { stage: 'EHLO' }, action: { type: 'delay', ms: 250 } });
    const started = performance.now();
    await expect(rig.app().email.send('member@example.com', CONTENT)).resolves.toMatchObject({
      status: 'sent',
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('refuses rules that could never match or act', () => {
    const bad = [
      { match: { stage: 'MAIL' }, action: { type: 'tls-failure' } },
      { match: { stage: 'connect', listener: 'submission' }, action: { type: 'tls-failure' } },
      { match: { stage: 'connect', sender: 'a@b' }, action: { type: 'drop' } },
      { match: { stage: 'AUTH', recipient: 'a@b' }, action: { type: 'drop' } },
      { match: { stage: 'QUIT' }, action: { type: 'drop' } },
      { match: { stage: 'DATA' }, action: { type: 'error', code: 250 } },
      { match: { stage: 'DATA' }, action: { type: 'error', code: 451, enhancedCode: '5.1.1' } },
      { match: { stage: 'DATA' }, action: { type: 'error', code: 451, message: 'two\r\nlines' } },
      { action: { type: 'drop' } },
    ];
    for (const rule of bad)
      expect(() => rig.mail.faults.add(rule as never), JSON.stringify(rule)).toThrow(FaultError);
  });
});

/** A bare SMTP client: the exact bytes of each reply. */
function rawSession(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let buffer = '';
  let closed = false;
  const waiters: (() => void)[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    buffer += d;
    for (const w of waiters.splice(0)) w();
  });
  socket.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  /** The next complete reply (a line whose code is followed by a space). */
  const reply = async (): Promise<string> => {
    for (;;) {
      const m = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/.exec(buffer);
      if (m) {
        buffer = buffer.slice(m[0].length);
        return m[0];
      }
      if (closed) throw new Error(`connection closed; unread: ${JSON.stringify(buffer)}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const closedNow = () =>
    closed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, reply, send: (line: string) => socket.write(`${line}\r\n`), closed: closedNow };
}

describe('SMTP faults: the exact wire replies', () => {
  it('a greeting refused with a multi-line reply and no enhanced code, then the connection closes', async () => {
    await using mail = await startMailServer({
      faults: [
        {
          match: { stage: 'connect', listener: 'submission' },
          action: { type: 'error', code: 554, enhancedCode: null, message: ['first line', 'second line'] },
        },
      ],
    });
    const s = rawSession(mail.smtpPort);
    expect(await s.reply()).toBe('554-first line\r\n554 second line\r\n');
    await s.closed();
  });

  it('a 421 at EHLO with its own enhanced code closes the connection', async () => {
    await using mail = await startMailServer({
      faults: [
        {
          match: { stage: 'EHLO' },
          action: { type: 'error', code: 421, enhancedCode: '4.7.0', message: 'Busy' },
        },
      ],
    });
    const s = rawSession(mail.smtpPort);
    expect(await s.reply()).toMatch(/^220 /);
    s.send('EHLO client.test');
    expect(await s.reply()).toBe('421 4.7.0 Busy\r\n');
    await s.closed();
  });

  it('a no-response at MAIL holds the session; stop() cuts it off promptly', async () => {
    const mail = await startMailServer({
      faults: [{ match: { stage: 'MAIL' }, action: { type: 'no-response' } }],
    });
    const s = rawSession(mail.smtpPort);
    await s.reply();
    s.send('EHLO client.test');
    await s.reply();
    s.send('MAIL FROM:<a@example.com>');
    await new Promise<void>((resolve) => {
      const poll = () => (mail.faults.list()[0]?.applied ? resolve() : setImmediate(poll));
      poll();
    });
    const started = performance.now();
    await mail.stop();
    await s.closed();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
