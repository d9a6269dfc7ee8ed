// Guards stack/mail/smtp/smtp-server-ext.ts, the one place that reaches past smtp-server's
// options. If a new smtp-server changes what it relies on, these fail.
import { createRequire } from 'node:module';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { describe, expect, it } from 'vitest';
import { startMailServer } from '../../stack/mail/server.ts';
import { RawSmtp } from './helpers.ts';

async function greetingTime(port: number) {
  const started = performance.now();
  const c = await RawSmtp.connect(port);
  const greeting = await c.reply();
  const ms = performance.now() - started;
  return { c, greeting, ms };
}

describe('prompt greeting on loopback', () => {
  it('greets at once, exactly once, and the session works', async () => {
    await using mail = await startMailServer();
    await using held = await startMailServer({ promptLoopbackGreeting: false });
    const { c, greeting, ms } = await greetingTime(mail.smtpPort);
    expect(greeting.code).toBe(220);
    // Relative, not an absolute budget (load on a shared machine only adds time): the prompt
    // greeting must beat smtp-server's held one, which waits its ~100 ms timer.
    const heldGreeting = await greetingTime(held.smtpPort);
    expect(ms).toBeLessThan(heldGreeting.ms);
    await heldGreeting.c.end();
    // Wait past smtp-server's own 100 ms timer: its connectionReady() must be a no-op now.
    await new Promise((r) => setTimeout(r, 150));
    const ehlo = await c.command('EHLO client.test');
    expect(ehlo.code).toBe(250);
    expect(ehlo.lines.filter((l) => l.startsWith('220'))).toEqual([]);
    expect((await c.command('NOOP')).code).toBe(250);
    await c.end();
  });

  it('without the extension smtp-server still holds the greeting ~100 ms (else the extension is obsolete)', async () => {
    await using mail = await startMailServer({ promptLoopbackGreeting: false });
    const { c, ms } = await greetingTime(mail.smtpPort);
    expect(ms).toBeGreaterThanOrEqual(90);
    await c.end();
  });

  it('early talkers on loopback are answered normally, not with "You talk too soon"', async () => {
    await using mail = await startMailServer();
    const c = await RawSmtp.connect(mail.smtpPort);
    c.write('EHLO fast.test\r\n');
    expect((await c.reply()).code).toBe(220);
    expect((await c.reply()).code).toBe(250);
    await c.end();
  });
});

describe('smtp-server internals the extension mirrors', () => {
  it('SMTPServer.prototype.connect still has the shape our override copies', () => {
    const src = SMTPServer.prototype.connect.toString();
    for (const part of [
      'new SMTPConnection(this, socket, socketOptions)',
      'this.connections.add(connection)',
      "connection.on('error'",
      "connection.on('connect'",
      'connection.init()',
    ]) {
      expect(src).toContain(part);
    }
    expect(typeof SMTPServer.prototype._onError).toBe('function');
    expect(typeof SMTPServer.prototype._onClientConnect).toBe('function');
  });

  it('SMTPConnection.init still delays with a 100 ms timer that calls connectionReady()', () => {
    const src = SMTPConnection.prototype.init.toString();
    expect(src).toMatch(/setTimeout\(\(\) => this\.connectionReady\(\), 100\)/);
    expect(typeof SMTPConnection.prototype.connectionReady).toBe('function');
    expect(typeof SMTPConnection.prototype.handler_AUTH).toBe('function');
  });

  it('is tested against the smtp-server version it was written for', () => {
    const require = createRequire(import.meta.url);
    const { version } = require('smtp-server/package.json') as { version: string };
    expect(version).toMatch(/^3\./);
  });
});

describe('AUTH before STARTTLS in required mode', () => {
  it('answers 530 5.7.0 without starting a SASL exchange; after STARTTLS AUTH proceeds', async () => {
    await using mail = await startMailServer({
      tls: { mode: 'required' },
      auth: { users: [{ user: 'u', pass: 'p' }] },
    });
    const c = await RawSmtp.connect(mail.smtpPort);
    await c.reply();
    await c.command('EHLO client.test');
    expect((await c.command('AUTH LOGIN')).text).toBe('530 5.7.0 Must issue a STARTTLS command first');
    expect((await c.command('MAIL FROM:<a@example.com>')).text).toBe(
      '530 5.7.0 Must issue a STARTTLS command first',
    );
    expect((await c.command('STARTTLS')).code).toBe(220);
    await c.startTls(mail.caCertPem);
    await c.command('EHLO client.test');
    expect((await c.command(`AUTH PLAIN ${Buffer.from('\0u\0p').toString('base64')}`)).code).toBe(235);
    expect((await c.command('MAIL FROM:<a@example.com>')).code).toBe(250);
    await c.end();
  });
});
