// Our API driven by the published mailpit-api client, unchanged: the mail API contract that
// test/mailpit/ also runs against real Mailpit, plus what only ours promises (the source kept
// byte for byte, envelope-only recipients reported without rewriting it).
import { MailpitClient } from 'mailpit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailServer, startMailServer } from '../../stack/mail/server.ts';
import { headerFields, mailApiContract } from '../contract/mail-api-contract.ts';
import { transport } from './helpers.ts';

let mail: MailServer;
beforeAll(async () => {
  // The same plain submission Mailpit gets: AUTH optional, STARTTLS offered but not used.
  mail = await startMailServer({ ports: { api: 0 }, auth: 'accept-any', tls: { mode: 'optional' } });
});
afterAll(() => mail?.stop());

mailApiContract('ours', () => ({ apiUrl: mail.apiUrl!, smtpHost: mail.host, smtpPort: mail.smtpPort }));

describe('ours only', () => {
  const client = () => new MailpitClient(mail.apiUrl!);

  it('keeps the submitted source byte for byte: no trace fields, Size is its length', async () => {
    const raw = Buffer.from(
      'From: a@example.com\r\nTo: b@example.com\r\nSubject: ours-only byte exact\r\nMessage-ID: <ours-only.1@focusmate.test>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n승인되었습니다\r\n.dot\r\n',
    );
    await transport(mail, { ignoreTLS: true }).sendMail({
      envelope: { from: 'a@example.com', to: ['b@example.com'] },
      raw,
    });
    const [m] = (await client().searchMessages({ query: 'subject:"ours-only byte exact"' })).messages;
    expect(Buffer.from(await client().getMessageSource(m!.ID)).equals(raw)).toBe(true);
    expect(m!.Size).toBe(raw.length);
    expect(await client().getMessageHeaders(m!.ID)).toEqual(
      Object.fromEntries(Object.entries(headerFields(raw)).sort(([x], [y]) => (x < y ? -1 : 1))),
    );
  });

  it('reports envelope-only recipients as Bcc without writing a Bcc header into the source', async () => {
    await transport(mail, { ignoreTLS: true }).sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      bcc: 'audit@example.com',
      subject: 'ours-only bcc',
      text: 'x',
    });
    const [m] = (await client().searchMessages({ query: 'bcc:audit subject:"ours-only bcc"' })).messages;
    expect(m!.Bcc).toEqual([{ Name: '', Address: 'audit@example.com' }]);
    expect(await client().getMessageSource(m!.ID)).not.toMatch(/^Bcc:/im);
    expect((await client().getMessageHeaders(m!.ID)).Bcc).toBeUndefined();
  });
});
