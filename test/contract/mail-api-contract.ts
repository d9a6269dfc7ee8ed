// The mail API contract: the Mailpit-compatible core, driven by the published `mailpit-api`
// client, unchanged, over mail that nodemailer really submitted by SMTP. It takes only an API
// URL and an SMTP address, so the same suite runs against our capture server and Mailpit.
// Each test sends mail under its own subject token and searches within it, then deletes it.
import { createHash, randomBytes } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { MailpitClient, type MailpitMessageListItem } from 'mailpit-api';
import nodemailer, { type Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { afterAll, afterEach, beforeAll, describe, expect, it as vitestIt } from 'vitest';

export interface MailApiTarget {
  /** Base URL of the Mailpit-style API (`/api/v1/...` below it). */
  apiUrl: string;
  smtpHost: string;
  smtpPort: number;
  /** Implicit TLS (the 465 style), trusting `ca`. @default false (plain SMTP, no STARTTLS) */
  secure?: boolean;
  ca?: string;
  /** SMTP AUTH; the API then reports this user as the message's Username. @default none */
  auth?: { user: string; pass: string };
}

export interface MailApiContractOptions {
  /**
   * Cases this engine is known to fail, by exact test title, each with the reason: where it
   * departs from the other. Each one is printed in the run as a skipped test; a reason for a
   * title that does not exist fails the run (no stale skips).
   */
  skip?: Record<string, string>;
}

/** One sent message: the exact bytes nodemailer submitted and when the 250 came back. */
export interface SentMessage {
  raw: Buffer;
  messageId: string;
  sentAfter: number;
  acceptedBy: number;
}

/** Header fields in Go's net/mail shape: canonical keys, unfolded values, in order. */
export function headerFields(raw: Buffer): Record<string, string[]> {
  const text = raw.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const fields: string[] = [];
  for (const line of text.slice(0, end).split('\r\n')) {
    if (/^[ \t]/.test(line)) fields[fields.length - 1] += ` ${line.trim()}`;
    else fields.push(line);
  }
  const out: Record<string, string[]> = {};
  for (const field of fields) {
    const colon = field.indexOf(':');
    const key = field
      .slice(0, colon)
      .toLowerCase()
      .replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
    out[key] = [...(out[key] ?? []), field.slice(colon + 1).trim()];
  }
  return out;
}

/** Exact bytes to submit, with their envelope. */
interface RawMessage {
  raw: string;
  envelope: { from: string; to: string[] };
}
const isRaw = (m: Mail.Options | RawMessage): m is RawMessage =>
  typeof m.raw === 'string' && typeof m.envelope === 'object' && Array.isArray(m.envelope?.to);

const sha = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');
const ymd = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function mailApiContract(
  name: string,
  getTarget: () => MailApiTarget,
  options: MailApiContractOptions = {},
): void {
  const skip = options.skip ?? {};
  const titles = new Set<string>();
  const it = (title: string, fn: () => Promise<void>, timeout?: number) => {
    titles.add(title);
    const reason = skip[title];
    if (reason) vitestIt.skip(`${title} — skipped on ${name}: ${reason}`, fn);
    else vitestIt(title, fn, timeout);
  };

  describe(`mail API contract: ${name}`, () => {
    let client: MailpitClient;
    let smtp: Transporter;
    const compose = nodemailer.createTransport({ streamTransport: true, buffer: true });
    const run = randomBytes(3).toString('hex');
    let cases = 0;
    /** This test's subject token: fixed width, so no token is a substring of another. */
    let T = '';

    beforeAll(() => {
      const t = getTarget();
      client = new MailpitClient(t.apiUrl);
      smtp = nodemailer.createTransport({
        host: t.smtpHost,
        port: t.smtpPort,
        secure: Boolean(t.secure),
        ignoreTLS: !t.secure,
        auth: t.auth,
        tls: t.ca ? { ca: t.ca, servername: 'localhost' } : undefined,
      });
    });
    afterAll(() => smtp?.close());
    // Each case starts with a fresh token and leaves nothing behind.
    const fresh = () => {
      T = `m${run}n${String(++cases).padStart(3, '0')}z`;
    };
    afterEach(async () => {
      await client.deleteMessagesBySearch({ query: `subject:${T}` }).catch(() => {});
    });

    /**
     * Submits a message and resolves once the 250 is in; waits until the clock has moved
     * on, so that the next message is stored with a later received time (Mailpit orders by
     * its millisecond `Created`).
     */
    async function send(message: Mail.Options | RawMessage) {
      let raw: Buffer;
      let envelope: { from: string; to: string[] };
      let messageId: string;
      if (isRaw(message)) {
        raw = Buffer.from(message.raw);
        envelope = message.envelope;
        messageId = headerFields(raw)['Message-Id']?.[0]?.replace(/^<|>$/g, '') ?? '';
      } else {
        const built = await compose.sendMail(message as Mail.Options);
        raw = built.message as Buffer;
        envelope = { from: built.envelope.from as string, to: built.envelope.to };
        messageId = built.messageId.replace(/^<|>$/g, '');
      }
      const sentAfter = Date.now();
      await smtp.sendMail({ envelope, raw });
      const acceptedBy = Date.now();
      while (Date.now() <= acceptedBy) await tick();
      return { raw, messageId, sentAfter, acceptedBy } satisfies SentMessage;
    }

    /** Subjects of the messages a query finds, newest first. */
    const subjects = async (query: string) =>
      (await client.searchMessages({ query })).messages.map((m) => m.Subject);
    /** The one message whose subject holds `token`. */
    async function item(token: string): Promise<MailpitMessageListItem> {
      const found = (await client.searchMessages({ query: `subject:${token}` })).messages;
      expect(found.map((m) => m.Subject)).toHaveLength(1);
      return found[0]!;
    }

    const invitation = (token: string): Mail.Options => ({
      from: '"Focus Mate" <noreply@focusmate.com>',
      to: '"Leader" <leader@example.com>',
      cc: 'member@example.com',
      bcc: 'audit@example.com',
      replyTo: 'help@focusmate.com',
      subject: `${token} Team invitation`,
      text: 'You are invited to the team. Join: https://app.focusmate.com/invite/abc',
      html: '<p>You are invited. <a href="https://app.focusmate.com/invite/abc">Join</a><img src="cid:logo@focusmate"></p>',
      headers: { 'X-Tags': `invite, ${token}tag` },
      attachments: [
        { filename: 'guide.pdf', content: Buffer.from('%PDF-1.4 fake'), contentType: 'application/pdf' },
        {
          filename: 'logo.png',
          content: Buffer.from('png'),
          contentType: 'image/png',
          cid: 'logo@focusmate',
        },
      ],
    });
    const report = randomBytes(120 * 1024);
    /** a: the invitation; b: Korean, plain text; c: a 120 KB attachment. Sent in this order. */
    async function sendTrio() {
      const a = await send(invitation(`${T}a`));
      const b = await send({
        from: 'other@example.com',
        to: 'someone@example.com',
        subject: `${T}b 승인 완료`,
        text: 'nothing to see here',
      });
      const c = await send({
        from: 'Reports <reports@example.com>',
        to: 'ops@example.com',
        subject: `${T}c monthly report`,
        text: 'report attached',
        attachments: [{ filename: 'report.bin', content: report, contentType: 'application/octet-stream' }],
      });
      return { a, b, c, sA: `${T}a Team invitation`, sB: `${T}b 승인 완료`, sC: `${T}c monthly report` };
    }

    it('info: Mailpit shape; totals, unread, tags and SMTP counters follow the mailbox', async () => {
      fresh();
      const before = await client.getInfo();
      expect(before).toMatchObject({
        Version: expect.any(String),
        LatestVersion: expect.any(String),
        Database: expect.any(String),
        DatabaseSize: expect.any(Number),
        Messages: expect.any(Number),
        Unread: expect.any(Number),
        Tags: expect.any(Object),
      });
      for (const key of [
        'Uptime',
        'Memory',
        'MessagesDeleted',
        'SMTPAccepted',
        'SMTPAcceptedSize',
        'SMTPRejected',
        'SMTPIgnored',
      ] as const) {
        expect(before.RuntimeStats[key], key).toEqual(expect.any(Number));
      }
      await send(invitation(`${T}a`));
      await send({ from: 'a@example.com', to: 'b@example.com', subject: `${T}b`, text: 'x' });
      const after = await client.getInfo();
      const list = await client.listMessages();
      const sizes = list.messages.slice(0, 2).reduce((n, m) => n + m.Size, 0);
      expect(after.Messages).toBe(before.Messages + 2);
      expect(after.Unread).toBe(before.Unread + 2);
      expect([after.Messages, after.Unread]).toEqual([list.total, list.unread]);
      expect(after.Tags[`${T}atag`]).toBe(1);
      expect(after.RuntimeStats.SMTPAccepted).toBe(before.RuntimeStats.SMTPAccepted + 2);
      expect(after.RuntimeStats.SMTPAcceptedSize).toBe(before.RuntimeStats.SMTPAcceptedSize + sizes);
      await client.deleteMessagesBySearch({ query: `subject:${T}` });
      const deleted = await client.getInfo();
      expect(deleted.RuntimeStats.MessagesDeleted).toBe(before.RuntimeStats.MessagesDeleted + 2);
      expect(deleted.Messages).toBe(before.Messages);
      expect(deleted.Tags[`${T}atag`]).toBeUndefined();
    });

    it('list: newest first, start and limit, totals, Mailpit list items', async () => {
      fresh();
      const before = await client.listMessages();
      const { a, b, sA, sB, sC } = await sendTrio();
      const list = await client.listMessages();
      expect(list.messages.slice(0, 3).map((m) => m.Subject)).toEqual([sC, sB, sA]);
      expect(list).toMatchObject({
        total: before.total + 3,
        unread: before.unread + 3,
        messages_count: before.total + 3,
        messages_unread: before.unread + 3,
        start: 0,
        count: Math.min(50, before.total + 3),
      });
      expect(list.tags).toEqual([...list.tags].sort());
      expect(list.tags).toEqual(expect.arrayContaining(['invite', `${T}atag`]));
      const page = await client.listMessages(1, 1);
      expect(page.messages.map((m) => m.Subject)).toEqual([sB]);
      expect(page).toMatchObject({ start: 1, count: 1, total: before.total + 3 });
      expect((await client.listMessages(0, 2)).messages.map((m) => m.Subject)).toEqual([sC, sB]);

      const inv = list.messages[2]!;
      expect(inv).toMatchObject({
        MessageID: a.messageId,
        Read: false,
        From: { Name: 'Focus Mate', Address: 'noreply@focusmate.com' },
        To: [{ Name: 'Leader', Address: 'leader@example.com' }],
        Cc: [{ Name: '', Address: 'member@example.com' }],
        Bcc: [{ Name: '', Address: 'audit@example.com' }],
        ReplyTo: [{ Name: '', Address: 'help@focusmate.com' }],
        Username: getTarget().auth?.user ?? '',
        Attachments: 1,
        // Like Mailpit, the snippet comes from the HTML body (stripped) when there is one.
        Snippet: 'You are invited. Join',
      });
      expect([...inv.Tags].sort()).toEqual(['invite', `${T}atag`].sort());
      const created = Date.parse(inv.Created);
      expect(created).toBeGreaterThanOrEqual(a.sentAfter);
      expect(created).toBeLessThanOrEqual(a.acceptedBy);
      expect(inv.Size).toBeGreaterThanOrEqual(a.raw.length);
      const plain = list.messages[1]!;
      expect(plain).toMatchObject({ MessageID: b.messageId, Attachments: 0, Snippet: 'nothing to see here' });
      expect(plain.Tags).toEqual([]);
      // No Cc: the client types an array; Mailpit sends null for it in list items.
      expect(plain.Cc ?? []).toEqual([]);
    });

    it('message by id and latest: addresses, dates, bodies, attachments and inline parts; marks read', async () => {
      fresh();
      const { a, sA, sC } = await sendTrio();
      const { ID } = await item(`${T}a`);
      const msg = await client.getMessageSummary(ID);
      expect(msg).toMatchObject({
        ID,
        MessageID: a.messageId,
        From: { Name: 'Focus Mate', Address: 'noreply@focusmate.com' },
        To: [{ Name: 'Leader', Address: 'leader@example.com' }],
        Cc: [{ Name: '', Address: 'member@example.com' }],
        Bcc: [{ Name: '', Address: 'audit@example.com' }],
        ReplyTo: [{ Name: '', Address: 'help@focusmate.com' }],
        ReturnPath: 'noreply@focusmate.com',
        Subject: sA,
        Username: getTarget().auth?.user ?? '',
        Text: 'You are invited to the team. Join: https://app.focusmate.com/invite/abc',
        ListUnsubscribe: { Header: '', Links: [], Errors: '', HeaderPost: '' },
      });
      expect(msg.HTML).toContain('<a href="https://app.focusmate.com/invite/abc">Join</a>');
      expect(Date.parse(msg.Date)).toBe(Date.parse(headerFields(a.raw).Date![0]!));
      expect([...msg.Tags].sort()).toEqual(['invite', `${T}atag`].sort());
      expect(msg.Size).toBe((await item(`${T}a`)).Size);
      expect(msg.Attachments.map((x) => [x.FileName, x.ContentType, x.ContentID, x.Size])).toEqual([
        ['guide.pdf', 'application/pdf', '', 13],
      ]);
      expect(msg.Inline.map((x) => [x.FileName, x.ContentType, x.ContentID, x.Size])).toEqual([
        ['logo.png', 'image/png', 'logo@focusmate', 3],
      ]);
      expect(msg.Attachments[0]!.PartID).not.toBe(msg.Inline[0]!.PartID);
      expect((await item(`${T}a`)).Read).toBe(true);
      expect((await item(`${T}c`)).Read).toBe(false);
      const latest = await client.getMessageSummary();
      expect(latest.Subject).toBe(sC);
      expect(latest.Attachments.map((x) => [x.FileName, x.Size])).toEqual([['report.bin', report.length]]);
      await expect(client.getMessageSummary('no-such-message-id')).rejects.toThrow(/ 404 /);
    });

    it('attachment checksums: MD5, SHA1 and SHA256 of the content', async () => {
      fresh();
      await sendTrio();
      const msg = await client.getMessageSummary((await item(`${T}c`)).ID);
      expect(msg.Attachments[0]!.Checksums).toEqual({
        MD5: sha('md5', report),
        SHA1: sha('sha1', report),
        SHA256: sha('sha256', report),
      });
      const inv = await client.getMessageSummary((await item(`${T}a`)).ID);
      expect(inv.Inline[0]!.Checksums.SHA256).toBe(sha('sha256', Buffer.from('png')));
    });

    it('List-Unsubscribe: header, links and the one-click Post header', async () => {
      fresh();
      await send({
        from: 'news@focusmate.com',
        to: 'leader@example.com',
        subject: T,
        text: 'news',
        headers: {
          'List-Unsubscribe': '<https://fm.test/u?1>, <mailto:u@fm.test>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
      const msg = await client.getMessageSummary((await item(T)).ID);
      expect(msg.ListUnsubscribe).toEqual({
        Header: '<https://fm.test/u?1>, <mailto:u@fm.test>',
        Links: ['https://fm.test/u?1', 'mailto:u@fm.test'],
        Errors: '',
        HeaderPost: 'List-Unsubscribe=One-Click',
      });
    });

    it('List-Unsubscribe: a folded header is unfolded', async () => {
      fresh();
      const header = '<https://app.focusmate.com/unsubscribe?user=42>, <mailto:unsubscribe@focusmate.com>';
      const sent = await send({
        from: 'news@focusmate.com',
        to: 'leader@example.com',
        subject: T,
        text: 'news',
        headers: { 'List-Unsubscribe': header },
      });
      // nodemailer folds a header this long: the API answers with its value, unfolded.
      expect(sent.raw.toString()).toContain(
        'List-Unsubscribe: <https://app.focusmate.com/unsubscribe?user=42>,\r\n',
      );
      const msg = await client.getMessageSummary((await item(T)).ID);
      expect(msg.ListUnsubscribe.Header).toBe(header);
    });

    const rawMessage = (token: string) =>
      [
        'From: Focus Mate <noreply@focusmate.com>',
        'To: Leader <leader@example.com>',
        `Subject: ${token} raw`,
        `Message-ID: <${token}.raw@focusmate.test>`,
        `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
        'X-Folded: first part of a folded header',
        '\tsecond part after a tab',
        'X-Twice: one',
        'X-Twice: two',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        '승인되었습니다 — 8-bit UTF-8 body',
        '.a line that starts with a dot',
        '..and one with two',
        'last line',
        '',
      ].join('\r\n');

    it('raw source: the submitted bytes, after at most the trace fields a receiver prepends', async () => {
      fresh();
      const sent = await send({
        raw: rawMessage(T),
        envelope: { from: 'noreply@focusmate.com', to: ['leader@example.com'] },
      });
      const { ID, Size } = await item(T);
      const source = Buffer.from(await client.getMessageSource(ID));
      expect(source.subarray(source.length - sent.raw.length).equals(sent.raw)).toBe(true);
      // RFC 5321 §4.4: a receiving server may prepend Return-Path and Received, nothing else.
      const prefix = source.subarray(0, source.length - sent.raw.length);
      const added = Object.keys(
        prefix.length ? headerFields(Buffer.concat([prefix, Buffer.from('\r\n')])) : {},
      );
      expect(added.filter((k) => k !== 'Received' && k !== 'Return-Path')).toEqual([]);
      expect(Size).toBe(source.length);
      expect(await client.getMessageSource()).toBe(source.toString('utf8'));
    });

    it('headers: canonical keys in order, every field of the message with its unfolded values', async () => {
      fresh();
      const sent = await send({
        raw: rawMessage(T),
        envelope: { from: 'noreply@focusmate.com', to: ['leader@example.com'] },
      });
      const headers = await client.getMessageHeaders((await item(T)).ID);
      expect(Object.keys(headers)).toEqual(Object.keys(headers).sort());
      const expected = headerFields(sent.raw);
      expect(headers).toMatchObject(expected);
      expect(headers['X-Folded']).toEqual(['first part of a folded header second part after a tab']);
      expect(headers['X-Twice']).toEqual(['one', 'two']);
      const extra = Object.keys(headers).filter((k) => !(k in expected));
      expect(extra.filter((k) => k !== 'Received' && k !== 'Return-Path')).toEqual([]);
      expect((await client.getMessageHeaders()).Subject).toEqual([`${T} raw`]);
    });

    it('parts: attachment and inline downloads carry their bytes and content type', async () => {
      fresh();
      await sendTrio();
      const inv = await client.getMessageSummary((await item(`${T}a`)).ID);
      const pdf = await client.getMessageAttachment(inv.ID, inv.Attachments[0]!.PartID);
      expect(Buffer.from(await pdf.arrayBuffer()).toString()).toBe('%PDF-1.4 fake');
      expect(pdf.type).toMatch(/^application\/pdf\b/);
      const logo = await client.getMessageAttachment(inv.ID, inv.Inline[0]!.PartID);
      expect(Buffer.from(await logo.arrayBuffer()).toString()).toBe('png');
      expect(logo.type).toMatch(/^image\/png\b/);
      const rep = await client.getMessageSummary((await item(`${T}c`)).ID);
      const bin = await client.getMessageAttachment(rep.ID, rep.Attachments[0]!.PartID);
      expect(sha('sha256', Buffer.from(await bin.arrayBuffer()))).toBe(sha('sha256', report));
      await expect(client.getMessageAttachment(inv.ID, '9.9')).rejects.toThrow(/ 404 /);
    });

    it('search: address keywords (to, from, cc, bcc, reply-to), case-insensitive', async () => {
      fresh();
      const { sA, sB, sC } = await sendTrio();
      const q = (k: string) => subjects(`${k} subject:${T}`);
      expect(await q('to:leader')).toEqual([sA]);
      expect(await q('to:someone@example.com')).toEqual([sB]);
      expect(await q('TO:LEADER')).toEqual([sA]);
      expect(await q('from:"Focus Mate"')).toEqual([sA]);
      expect(await q('from:reports')).toEqual([sC]);
      expect(await q('cc:member')).toEqual([sA]);
      // An envelope-only recipient is a Bcc recipient.
      expect(await q('bcc:audit@example.com')).toEqual([sA]);
      expect(await q('reply-to:help@focusmate.com')).toEqual([sA]);
      expect(await q('to:nobody')).toEqual([]);
    });

    it('search: subject:, quoted phrases, message-id:, tag:, free text', async () => {
      fresh();
      const { a, sA, sB, sC } = await sendTrio();
      expect(await subjects(`subject:${T}`)).toEqual([sC, sB, sA]);
      expect(await subjects(`subject:${T}b`)).toEqual([sB]);
      expect(await subjects(`subject:"${T}b 승인"`)).toEqual([sB]);
      expect(await subjects(`"${T}c monthly"`)).toEqual([sC]);
      expect(await subjects(`message-id:${a.messageId}`)).toEqual([sA]);
      expect(await subjects(`tag:${T}atag`)).toEqual([sA]);
      const q = (k: string) => subjects(`${k} subject:${T}`);
      expect(await q('승인')).toEqual([sB]);
      expect(await q('nothing')).toEqual([sB]);
      // Free text covers the headers, the HTML body (stripped) when there is one, else the
      // text body, and attachment file names.
      expect(await q('noreply@focusmate.com')).toEqual([sA]);
      expect(await q('"you are invited."')).toEqual([sA]);
      expect(await q('"invited to the team"')).toEqual([]);
      expect(await q('guide.pdf')).toEqual([sA]);
      expect(await q('report.bin')).toEqual([sC]);
    });

    /** A one-time code laid out one span per digit, as many verification emails are. */
    const otp = (token: string): Mail.Options => ({
      from: 'noreply@focusmate.com',
      to: 'leader@example.com',
      subject: token,
      text: 'Your code: 482913',
      html: '<p>Your code: <span>4</span><span>8</span><span>2</span><span>9</span><span>1</span><span>3</span></p><p><a href="https://app.focusmate.com/verify?c=482913">Verify</a></p>',
    });

    it('HTML as text: adjacent text nodes join (search and snippet)', async () => {
      fresh();
      await send(otp(T));
      const q = (k: string) => subjects(`${k} subject:${T}`);
      expect(await q('482913')).toEqual([T]);
      expect(await q('"code: 482913"')).toEqual([T]);
      expect((await item(T)).Snippet).toBe('Your code: 482913 Verify');
    });

    it('HTML as text: free text search includes link targets', async () => {
      fresh();
      await send(otp(T));
      expect(await subjects(`app.focusmate.com/verify subject:${T}`)).toEqual([T]);
      // ...but the snippet does not.
      expect((await item(T)).Snippet).not.toContain('https://');
    });

    it('search: is:read, is:unread, has:attachment, larger:, smaller:, before:, after:', async () => {
      fresh();
      const { sA, sB, sC } = await sendTrio();
      const q = (k: string) => subjects(`${k} subject:${T}`);
      expect(await q('is:unread')).toEqual([sC, sB, sA]);
      expect(await q('is:read')).toEqual([]);
      await client.getMessageSummary((await item(`${T}a`)).ID);
      expect(await q('is:read')).toEqual([sA]);
      expect(await q('is:unread')).toEqual([sC, sB]);
      expect(await q('has:attachment')).toEqual([sC, sA]);
      expect(await q('larger:100kb')).toEqual([sC]);
      expect(await q('smaller:100kb')).toEqual([sB, sA]);
      expect(await q('larger:1mb')).toEqual([]);
      const tomorrow = ymd(new Date(Date.now() + 36 * 3600_000));
      const yesterday = ymd(new Date(Date.now() - 36 * 3600_000));
      expect(await q(`after:${yesterday}`)).toEqual([sC, sB, sA]);
      expect(await q(`after:${tomorrow}`)).toEqual([]);
      expect(await q(`before:${tomorrow}`)).toEqual([sC, sB, sA]);
      expect(await q(`before:${yesterday}`)).toEqual([]);
    });

    it('search: - and ! negate any term; terms combine with AND', async () => {
      fresh();
      const { sA, sB, sC } = await sendTrio();
      const q = (k: string) => subjects(`${k} subject:${T}`);
      expect(await q('-to:leader')).toEqual([sC, sB]);
      expect(await q('!to:leader')).toEqual([sC, sB]);
      expect(await q('-has:attachment')).toEqual([sB]);
      expect(await q('-larger:100kb')).toEqual([sB, sA]);
      expect(await q('-smaller:100kb')).toEqual([sC]);
      expect(await q('-is:unread')).toEqual([]);
      expect(await q(`-subject:${T}b`)).toEqual([sC, sA]);
      expect(await q('-"are invited"')).toEqual([sC, sB]);
      expect(await q(`-after:${ymd(new Date(Date.now() - 36 * 3600_000))}`)).toEqual([]);
      expect(await q('has:attachment -from:reports')).toEqual([sA]);
      expect(await q('to:leader has:attachment cc:member')).toEqual([sA]);
    });

    it('search: result shape, start and limit, and an empty query refused', async () => {
      fresh();
      const { sB } = await sendTrio();
      await client.getMessageSummary((await item(`${T}a`)).ID);
      const all = await client.listMessages();
      const found = await client.searchMessages({ query: `subject:${T}` });
      expect(found).toMatchObject({
        total: all.total,
        unread: all.unread,
        messages_count: 3,
        messages_unread: 2,
        start: 0,
        count: 3,
      });
      expect(found.tags).toEqual(all.tags);
      const page = await client.searchMessages({ query: `subject:${T}`, start: 1, limit: 1 });
      expect(page.messages.map((m) => m.Subject)).toEqual([sB]);
      expect(page).toMatchObject({ messages_count: 3, start: 1, count: 1 });
      await expect(client.searchMessages({ query: '' })).rejects.toThrow(/ 400 /);
      await expect(client.searchMessages({ query: '   ' })).rejects.toThrow(/ 400 /);
    });

    it('read status: by ids, by search, all; ids with a search refused', async () => {
      fresh();
      await sendTrio();
      const read = async () =>
        (await client.searchMessages({ query: `subject:${T}` })).messages.map((m) => m.Read);
      const [c, b, a] = (await client.searchMessages({ query: `subject:${T}` })).messages.map((m) => m.ID);
      expect(await client.setReadStatus({ IDs: [b!], Read: true })).toBe('ok');
      expect(await read()).toEqual([false, true, false]);
      expect(await client.setReadStatus({ Search: `subject:${T}`, Read: true })).toBe('ok');
      expect(await read()).toEqual([true, true, true]);
      expect(await client.setReadStatus({ IDs: [a!, c!], Read: false })).toBe('ok');
      expect(await read()).toEqual([false, true, false]);
      await expect(client.setReadStatus({ IDs: [a!], Search: `subject:${T}`, Read: true })).rejects.toThrow(
        / 400 /,
      );
      expect(await client.setReadStatus({ Read: true })).toBe('ok');
      expect((await client.listMessages()).unread).toBe(0);
      expect((await client.getInfo()).Unread).toBe(0);
      expect(await client.setReadStatus()).toBe('ok');
      expect(await read()).toEqual([false, false, false]);
    });

    it('delete: by ids, then by search', async () => {
      fresh();
      const { sB } = await sendTrio();
      const before = await client.getInfo();
      const [c, , a] = (await client.searchMessages({ query: `subject:${T}` })).messages.map((m) => m.ID);
      expect(await client.deleteMessages({ IDs: [a!, c!] })).toBe('ok');
      expect(await subjects(`subject:${T}`)).toEqual([sB]);
      await expect(client.getMessageSummary(a!)).rejects.toThrow(/ 404 /);
      const after = await client.getInfo();
      expect(after.Messages).toBe(before.Messages - 2);
      expect(after.RuntimeStats.MessagesDeleted).toBe(before.RuntimeStats.MessagesDeleted + 2);
      await send({ from: 'a@example.com', to: 'b@example.com', subject: `${T}d kept`, text: 'x' });
      expect(await client.deleteMessagesBySearch({ query: `subject:${T} -subject:kept` })).toBe('ok');
      expect(await subjects(`subject:${T}`)).toEqual([`${T}d kept`]);
      await expect(client.deleteMessagesBySearch({ query: '' })).rejects.toThrow(/ 400 /);
    });

    it('delete all: an empty mailbox, and latest answers 404', async () => {
      fresh();
      await sendTrio();
      expect(await client.deleteMessages()).toBe('ok');
      const list = await client.listMessages();
      expect(list).toMatchObject({ total: 0, unread: 0, messages_count: 0, count: 0, messages: [] });
      expect((await client.getInfo()).Messages).toBe(0);
      await expect(client.getMessageSummary()).rejects.toThrow(/ 404 /);
      await expect(client.getMessageSource()).rejects.toThrow(/ 404 /);
      await expect(client.getMessageHeaders()).rejects.toThrow(/ 404 /);
    });

    it('tags: X-Tags listed, sorted, gone with their messages', async () => {
      fresh();
      await sendTrio();
      const tags = await client.getTags();
      expect(tags).toEqual([...tags].sort());
      expect(tags).toEqual(expect.arrayContaining(['invite', `${T}atag`]));
      await client.deleteMessagesBySearch({ query: `subject:${T}` });
      expect(await client.getTags()).not.toContain(`${T}atag`);
    });

    it('plus-addressing: a recipient tag becomes a message tag', async () => {
      fresh();
      await send({ from: 'a@example.com', to: `leader+${T}p@example.com`, subject: T, text: 'x' });
      expect((await item(T)).Tags).toContain(`${T}p`);
      expect(await subjects(`tag:${T}p`)).toEqual([T]);
    });

    it('latest with ?query=: the newest message matching a search', async () => {
      fresh();
      const { sA } = await sendTrio();
      const url = `${getTarget().apiUrl}/api/v1/message/latest?query=${encodeURIComponent(`subject:${T}a`)}`;
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { Subject: string }).Subject).toBe(sA);
    });

    it('views and the client’s waits: /view/{id}.txt and .html, waitForMessage(s)', async () => {
      fresh();
      const { sA } = await sendTrio();
      const m = await client.waitForMessage({ query: `subject:${T}a` }, { timeout: 2000, interval: 50 });
      expect(m.Subject).toBe(sA);
      const r = await client.waitForMessages(
        { query: `subject:${T}`, count: 3 },
        { timeout: 2000, interval: 50 },
      );
      expect(r.messages_count).toBe(3);
      expect(await client.renderMessageText(m.ID)).toContain('You are invited to the team');
      expect(await client.renderMessageHTML(m.ID)).toContain('You are invited.');
      await expect(
        client.waitForMessage({ query: `subject:${T}none` }, { timeout: 150, interval: 50 }),
      ).rejects.toThrow(/Timeout/);
    });

    it('skips name existing cases', async () => {
      expect(Object.keys(skip).filter((t) => !titles.has(t))).toEqual([]);
    });
  });
}
