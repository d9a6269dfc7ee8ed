// What arrives is what was sent: Korean text, a 5 MB attachment, the raw bytes; SIZE and
// pipelining behave as the EHLO reply promises.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailServer, startMailServer } from '../../stack/mail/server.ts';
import { RawSmtp, swaks, transport } from './helpers.ts';

let mail: MailServer;
beforeAll(async () => {
  mail = await startMailServer({ sizeLimit: 8 * 1024 * 1024, ports: { api: 0 } });
});
afterAll(() => mail.stop());

describe('content', () => {
  it('keeps a Korean subject and body intact (subject, text, HTML, raw bytes)', async () => {
    const subject = '[Focus Mate] 인증 요청이 승인되었습니다 ✅';
    const text = '안녕하세요, 리더님. 팀 인증이 승인되었습니다.\n감사합니다.';
    const html = '<p>안녕하세요, <b>리더님</b>.</p>';
    const info = await transport(mail).sendMail({
      from: '"포커스 메이트" <noreply@focusmate.com>',
      to: '"김리더" <leader@example.com>',
      subject,
      text,
      html,
    });
    const [m] = await mail.waitFor({ subject: '승인되었습니다', timeout: 2000 });
    expect(m!.subject).toBe(subject);
    expect(m!.from).toEqual({ name: '포커스 메이트', address: 'noreply@focusmate.com' });
    expect(m!.to).toEqual([{ name: '김리더', address: 'leader@example.com' }]);
    const full = await mail.message(m!.id);
    expect(full.text.trim()).toBe(text);
    expect(full.html).toBe(html);
    expect(m!.messageId).toBe(info.messageId.replace(/^<|>$/g, ''));
    const res = await fetch(`${mail.apiUrl}/api/v1/search?query=${encodeURIComponent('리더님')}`);
    const found = (await res.json()) as { messages_count: number };
    expect(found.messages_count).toBe(1);
  });

  it('keeps a 5 MB attachment byte for byte (SHA-256 in the summary and in the download)', async () => {
    const content = randomBytes(5 * 1024 * 1024);
    const sha256 = createHash('sha256').update(content).digest('hex');
    await transport(mail).sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'big attachment',
      text: 'see attached',
      attachments: [{ filename: 'report.bin', content, contentType: 'application/octet-stream' }],
    });
    const [m] = await mail.waitFor({ subject: 'big attachment', timeout: 5000 });
    expect(m!.attachments).toHaveLength(1);
    expect(m!.attachments[0]).toMatchObject({ fileName: 'report.bin', size: content.length, sha256 });
    const res = await fetch(`${mail.apiUrl}/api/v1/message/${m!.id}/part/${m!.attachments[0]!.partId}`);
    const body = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(sha256);
  });

  it('stores the raw message exactly as received', async () => {
    const raw =
      'From: a@example.com\r\nTo: b@example.com\r\nSubject: raw exact\r\nX-Odd:  two  spaces \r\n\r\n.leading dot\r\nline\r\n';
    const c = await RawSmtp.connect(mail.smtpPort);
    await c.reply();
    await c.command('EHLO client.test');
    await c.command('MAIL FROM:<a@example.com>');
    await c.command('RCPT TO:<b@example.com>');
    expect((await c.command('DATA')).code).toBe(354);
    // Dot-stuffing on the wire; the stored message has it removed.
    c.write(`${raw.replace(/\r\n\./g, '\r\n..')}.\r\n`);
    expect((await c.reply()).code).toBe(250);
    await c.command('QUIT');
    const [m] = await mail.waitFor({ subject: 'raw exact', timeout: 2000 });
    expect((await mail.raw(m!.id)).toString('latin1')).toBe(raw);
    const api = await fetch(`${mail.apiUrl}/api/v1/message/${m!.id}/raw`);
    expect(await api.text()).toBe(raw);
  });
});

describe('SMTP extensions', () => {
  it('advertises SIZE, 8BITMIME, SMTPUTF8, PIPELINING, ENHANCEDSTATUSCODES, STARTTLS, AUTH', async () => {
    const c = await RawSmtp.connect(mail.smtpPort);
    await c.reply();
    const ehlo = await c.command('EHLO client.test');
    for (const ext of [
      'PIPELINING',
      '8BITMIME',
      'SMTPUTF8',
      'ENHANCEDSTATUSCODES',
      'STARTTLS',
      `SIZE ${8 * 1024 * 1024}`,
    ]) {
      expect(ehlo.lines.some((l) => l.slice(4) === ext)).toBe(true);
    }
    expect(ehlo.lines.some((l) => l.slice(4).startsWith('AUTH PLAIN LOGIN CRAM-MD5'))).toBe(true);
    await c.end();
  });

  it('refuses an oversize message with 552 5.3.4 and stores nothing', async () => {
    const before = mail.store.count;
    const err = await transport(mail)
      .sendMail({
        from: 'a@example.com',
        to: 'b@example.com',
        subject: 'too big',
        attachments: [{ filename: 'x.bin', content: randomBytes(9 * 1024 * 1024) }],
      })
      .catch((e: Error) => e);
    expect((err as { response?: string }).response).toMatch(
      /^552 5\.3\.4 .*exceeds fixed maximum message size/,
    );
    // Without a declared SIZE the whole message is read and then refused.
    const c = await RawSmtp.connect(mail.smtpPort);
    await c.reply();
    await c.command('EHLO client.test');
    await c.command('MAIL FROM:<a@example.com>');
    await c.command('RCPT TO:<b@example.com>');
    await c.command('DATA');
    c.write(`Subject: too big raw\r\n\r\n${'x'.repeat(998)}\r\n`.repeat(9 * 1024));
    c.write('.\r\n');
    const reply = await c.reply();
    expect(reply.text).toMatch(/^552 5\.3\.4 /);
    expect((await c.command('NOOP')).code).toBe(250);
    await c.end();
    expect(mail.store.count).toBe(before);
    expect(mail.messages({ subject: 'too big' })).toHaveLength(0);
  });

  it('swaks --pipeline: all commands in one round trip, message stored', async () => {
    const r = await swaks([
      '--port',
      String(mail.smtpPort),
      '--pipeline',
      '--from',
      'pipe@example.com',
      '--to',
      'one@example.com,two@example.com',
      '--header',
      'Subject: pipelined',
    ]);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/250 2\.1\.5 Accepted[\s\S]*250 2\.1\.5 Accepted/);
    const [m] = await mail.waitFor({ subject: 'pipelined', timeout: 2000 });
    expect(m!.session.rcptTo).toEqual(['one@example.com', 'two@example.com']);
  });

  it('accepts SMTPUTF8 addresses and 8-bit bodies', async () => {
    const c = await RawSmtp.connect(mail.smtpPort);
    await c.reply();
    await c.command('EHLO client.test');
    expect((await c.command('MAIL FROM:<보내는이@example.com> SMTPUTF8 BODY=8BITMIME')).code).toBe(250);
    expect((await c.command(Buffer.from('RCPT TO:<받는이@예시.한국>'))).code).toBe(250);
    await c.command('DATA');
    c.write(Buffer.from('From: 보내는이@example.com\r\nSubject: 8비트 제목\r\n\r\n본문\r\n.\r\n'));
    expect((await c.reply()).code).toBe(250);
    await c.end();
    const [m] = await mail.waitFor({ subject: '8비트', timeout: 2000 });
    expect(m!.session.rcptTo).toEqual(['받는이@예시.한국']);
  });
});
