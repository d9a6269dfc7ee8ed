// Bad input never crashes the server or loses other mail.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MailServer, startMailServer } from '../../stack/mail/server.ts';
import { RawSmtp, transport } from './helpers.ts';

let mail: MailServer;
beforeAll(async () => {
  mail = await startMailServer({ ports: { api: 0 } });
});
afterAll(() => mail.stop());

async function sendRaw(data: Buffer | string, rcpt = '<b@example.com>') {
  const c = await RawSmtp.connect(mail.smtpPort);
  await c.reply();
  await c.command('EHLO client.test');
  await c.command('MAIL FROM:<a@example.com>');
  await c.command(`RCPT TO:${rcpt}`);
  await c.command('DATA');
  c.write(data);
  // The CRLF before the final dot belongs to the message (RFC 5321 4.1.1.4).
  c.write('\r\n.\r\n');
  const reply = await c.reply();
  await c.end();
  return reply;
}

async function stillWorks(subject: string) {
  await transport(mail).sendMail({ from: 'a@example.com', to: 'b@example.com', subject, text: 'fine' });
  await mail.waitFor({ subject, timeout: 2000 });
  const res = await fetch(`${mail.apiUrl}/api/v1/messages`);
  expect(res.status).toBe(200);
}

it('NUL bytes in headers and body are stored byte for byte', async () => {
  const raw = Buffer.from('Subject: nul\u0000here\r\nFrom: a@example.com\r\n\r\nbody\u0000with nul');
  expect((await sendRaw(raw)).code).toBe(250);
  const [m] = await mail.waitFor({ query: 'nul', timeout: 2000 });
  expect((await mail.raw(m!.id)).equals(Buffer.concat([raw, Buffer.from('\r\n')]))).toBe(true);
  const api = await fetch(`${mail.apiUrl}/api/v1/message/${m!.id}`);
  expect(api.status).toBe(200);
  await stillWorks('after nul');
});

it('a 1 MB header line is accepted and does not stall other sessions', async () => {
  const raw = `Subject: long header\r\nX-Long: ${'a'.repeat(1024 * 1024)}\r\n\r\nbody`;
  const other = stillWorks('sent meanwhile');
  expect((await sendRaw(raw)).code).toBe(250);
  await other;
  const [m] = await mail.waitFor({ subject: 'long header', timeout: 2000 });
  expect(m!.size).toBe(Buffer.byteLength(raw) + 2);
  const headers = await fetch(`${mail.apiUrl}/api/v1/message/${m!.id}/headers`);
  expect(((await headers.json()) as Record<string, string[]>)['X-Long']![0]).toHaveLength(1024 * 1024);
});

it('malformed MIME (broken boundaries, bad base64, bogus charset) is kept and listed', async () => {
  const raw = [
    'Subject: broken mime',
    'Content-Type: multipart/mixed; boundary="nope',
    'MIME-Version: 1.0',
    '',
    '--nope',
    'Content-Type: text/plain; charset=x-klingon',
    'Content-Transfer-Encoding: base64',
    '',
    '!!!not base64!!!',
    '--nope',
    'Content-Type: application/octet-stream; name="a.bin"',
    "Content-Disposition: attachment; filename*=utf-8''%ZZ%",
    '',
    'garbage',
  ].join('\r\n');
  expect((await sendRaw(raw)).code).toBe(250);
  const [m] = await mail.waitFor({ subject: 'broken mime', timeout: 2000 });
  expect((await mail.raw(m!.id)).toString()).toBe(`${raw}\r\n`);
  expect((await fetch(`${mail.apiUrl}/api/v1/message/${m!.id}`)).status).toBe(200);
  await stillWorks('after malformed');
});

it('raw 8-bit (non-UTF-8) headers are tolerated', async () => {
  const raw = Buffer.concat([
    Buffer.from('Subject: eight '),
    Buffer.from([0xc0, 0xff, 0xfe]),
    Buffer.from(' bit\r\n\r\nx'),
  ]);
  expect((await sendRaw(raw)).code).toBe(250);
  await mail.waitFor({ query: 'eight', timeout: 2000 });
  await stillWorks('after 8bit');
});

it('invalid addresses get a 5xx syntax reply, not a crash', async () => {
  const c = await RawSmtp.connect(mail.smtpPort);
  await c.reply();
  await c.command('EHLO client.test');
  expect((await c.command('MAIL FROM:<not an address>')).code).toBeGreaterThanOrEqual(500);
  expect((await c.command('MAIL FROM:<<<>>>')).code).toBeGreaterThanOrEqual(500);
  expect((await c.command('MAIL FROM:<a@example.com>')).code).toBe(250);
  expect((await c.command('RCPT TO:<@@@>')).code).toBeGreaterThanOrEqual(500);
  expect((await c.command(Buffer.from([0x52, 0x43, 0x50, 0x54, 0x00, 0xff]))).code).toBeGreaterThanOrEqual(
    500,
  );
  await c.end();
  await stillWorks('after invalid addresses');
});

it('a client vanishing mid-DATA stores nothing and others are unaffected', async () => {
  const before = mail.store.count;
  const c = await RawSmtp.connect(mail.smtpPort);
  await c.reply();
  await c.command('EHLO client.test');
  await c.command('MAIL FROM:<a@example.com>');
  await c.command('RCPT TO:<b@example.com>');
  await c.command('DATA');
  c.write(`Subject: vanished\r\n\r\n${'x'.repeat(100_000)}`);
  c.destroy();
  await stillWorks('after vanish');
  expect(mail.store.count).toBe(before + 1);
  expect(mail.messages({ subject: 'vanished' })).toHaveLength(0);
});
