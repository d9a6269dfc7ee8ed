// Our API driven by the published mailpit-api client, unchanged: proof of Mailpit compatibility.
import { MailpitClient } from 'mailpit-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MailServer, startMailServer } from '../../stack/mail/server.ts';
import { transport } from './helpers.ts';

let mail: MailServer;
let client: MailpitClient;
beforeAll(async () => {
  mail = await startMailServer({ ports: { api: 0 } });
  client = new MailpitClient(mail.apiUrl!);
  const tx = transport(mail);
  await tx.sendMail({
    from: '"Focus Mate" <noreply@focusmate.com>',
    to: '"Leader" <leader@example.com>',
    cc: 'member@example.com',
    bcc: 'audit@example.com',
    replyTo: 'help@focusmate.com',
    subject: 'Team invitation',
    text: 'You are invited to the team. Join: https://app.focusmate.com/invite/abc',
    html: '<p>You are invited. <a href="https://app.focusmate.com/invite/abc">Join</a></p>',
    headers: { 'X-Tags': 'invite, team' },
    attachments: [
      { filename: 'guide.pdf', content: Buffer.from('%PDF-1.4 fake'), contentType: 'application/pdf' },
      { filename: 'logo.png', content: Buffer.from('png'), contentType: 'image/png', cid: 'logo@focusmate' },
    ],
  });
  await tx.sendMail({
    from: 'other@example.com',
    to: 'someone@example.com',
    subject: 'Unrelated',
    text: 'nothing',
  });
  await mail.waitFor({ count: 2, timeout: 2000 });
});
afterAll(() => mail.stop());

it('getInfo', async () => {
  const info = await client.getInfo();
  expect(info.Messages).toBe(2);
  expect(info.Unread).toBe(2);
  expect(info.Tags).toEqual({ invite: 1, team: 1 });
  expect(info.RuntimeStats.SMTPAccepted).toBe(2);
  expect(typeof info.Version).toBe('string');
});

it('listMessages: Mailpit shape, newest first', async () => {
  const list = await client.listMessages();
  expect(list).toMatchObject({ total: 2, unread: 2, messages_count: 2, start: 0, count: 2 });
  expect(list.tags).toEqual(['invite', 'team']);
  const [newest, older] = list.messages;
  expect(newest!.Subject).toBe('Unrelated');
  expect(older).toMatchObject({
    Subject: 'Team invitation',
    From: { Name: 'Focus Mate', Address: 'noreply@focusmate.com' },
    To: [{ Name: 'Leader', Address: 'leader@example.com' }],
    Cc: [{ Name: '', Address: 'member@example.com' }],
    Bcc: [{ Name: '', Address: 'audit@example.com' }],
    ReplyTo: [{ Name: '', Address: 'help@focusmate.com' }],
    Read: false,
    Attachments: 1,
    Tags: ['invite', 'team'],
  });
  expect(older!.Snippet).toContain('You are invited');
  expect(Number.isNaN(Date.parse(older!.Created))).toBe(false);
  expect((await client.listMessages(1, 1)).messages.map((m) => m.Subject)).toEqual(['Team invitation']);
});

it('getMessageSummary (and latest), marks read; attachments, inline, checksums', async () => {
  const latest = await client.getMessageSummary();
  expect(latest.Subject).toBe('Unrelated');
  const [item] = (await client.searchMessages({ query: 'subject:invitation' })).messages;
  const msg = await client.getMessageSummary(item!.ID);
  expect(msg.Text).toContain('You are invited');
  expect(msg.HTML).toContain('<a href="https://app.focusmate.com/invite/abc">');
  expect(msg.Attachments.map((a) => [a.FileName, a.ContentType, a.Size])).toEqual([
    ['guide.pdf', 'application/pdf', 13],
  ]);
  expect(msg.Inline.map((a) => [a.FileName, a.ContentID])).toEqual([['logo.png', 'logo@focusmate']]);
  expect(msg.Attachments[0]!.Checksums.SHA256).toMatch(/^[0-9a-f]{64}$/);
  expect(msg.Attachments[0]!.Checksums.MD5).toMatch(/^[0-9a-f]{32}$/);
  expect((await client.listMessages()).unread).toBe(0);
  const blob = await client.getMessageAttachment(item!.ID, msg.Attachments[0]!.PartID);
  expect(Buffer.from(await blob.arrayBuffer()).toString()).toBe('%PDF-1.4 fake');
  expect(blob.type).toBe('application/pdf');
});

it('getMessageHeaders and getMessageSource', async () => {
  const headers = await client.getMessageHeaders('latest');
  expect(headers.Subject).toEqual(['Unrelated']);
  expect(headers['Message-Id']![0]).toMatch(/^<.+>$/);
  const source = await client.getMessageSource('latest');
  expect(source).toContain('Subject: Unrelated');
});

it('searchMessages with keywords, phrases and negation; renderMessageText/HTML', async () => {
  const q = async (query: string) => (await client.searchMessages({ query })).messages.map((m) => m.Subject);
  expect(await q('to:leader')).toEqual(['Team invitation']);
  expect(await q('from:"Focus Mate"')).toEqual(['Team invitation']);
  expect(await q('cc:member')).toEqual(['Team invitation']);
  expect(await q('bcc:audit')).toEqual(['Team invitation']);
  expect(await q('has:attachment')).toEqual(['Team invitation']);
  expect(await q('-has:attachment')).toEqual(['Unrelated']);
  // Like Mailpit, free text searches the HTML body (stripped) when there is one, else the text body.
  expect(await q('"are invited. join"')).toEqual(['Team invitation']);
  expect(await q('"invited to the team"')).toEqual([]);
  expect(await q('tag:invite')).toEqual(['Team invitation']);
  expect(await q('is:read')).toHaveLength(2);
  expect(await q('larger:100kb')).toEqual([]);
  expect(await q('smaller:100kb')).toHaveLength(2);
  expect(await q('after:2000-01-01 -subject:invitation')).toEqual(['Unrelated']);
  expect(await q('before:2000-01-01')).toEqual([]);
  expect(await q(`message-id:${(await client.getMessageSummary()).MessageID}`)).toEqual(['Unrelated']);
  expect(await client.renderMessageText()).toContain('nothing');
  const [inv] = (await client.searchMessages({ query: 'subject:invitation' })).messages;
  expect(await client.renderMessageHTML(inv!.ID)).toContain('You are invited');
});

it('waitForMessage / waitForMessages (the client polls; our answers satisfy it)', async () => {
  const m = await client.waitForMessage({ query: 'subject:Unrelated' }, { timeout: 2000, interval: 50 });
  expect(m.Subject).toBe('Unrelated');
  const r = await client.waitForMessages(
    { query: 'to:example.com', count: 2 },
    { timeout: 2000, interval: 50 },
  );
  expect(r.messages_count).toBe(2);
});

it('setReadStatus, getTags, deleteMessagesBySearch, deleteMessages', async () => {
  expect(await client.setReadStatus({ Read: false })).toBe('ok');
  expect((await client.listMessages()).unread).toBe(2);
  expect(await client.getTags()).toEqual(['invite', 'team']);
  expect(await client.deleteMessagesBySearch({ query: 'subject:Unrelated' })).toBe('ok');
  expect((await client.listMessages()).messages.map((m) => m.Subject)).toEqual(['Team invitation']);
  const [only] = (await client.listMessages()).messages;
  expect(await client.deleteMessages({ IDs: [only!.ID] })).toBe('ok');
  expect((await client.listMessages()).total).toBe(0);
  await expect(client.getMessageSummary()).rejects.toThrow(/404/);
  await expect(client.searchMessages({ query: '' })).rejects.toThrow(/400/);
});

it('deleteMessages() without IDs deletes everything', async () => {
  await transport(mail).sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'x', text: 'x' });
  await mail.waitFor({ subject: 'x', timeout: 2000 });
  expect(await client.deleteMessages()).toBe('ok');
  expect((await client.listMessages()).total).toBe(0);
});
