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

// Where ours departs from Mailpit (test/mailpit/ passes these): gaps in stack/mail to close.
mailApiContract('ours', () => ({ apiUrl: mail.apiUrl!, smtpHost: mail.host, smtpPort: mail.smtpPort }), {
  skip: {
    'List-Unsubscribe: a folded header is unfolded':
      'ours answers ListUnsubscribe.Header with the raw folded value ("…u?user=42>,\\r\\n <mailto:…>"); Mailpit unfolds it (Go net/mail)',
    'HTML as text: adjacent text nodes join (search and snippet)':
      'ours turns every HTML tag into a space ("<span>4</span><span>8</span>" → "4 8"), so "482913" is not found and the snippet reads "4 8 2 9 1 3"; Mailpit joins text nodes and breaks only at block ends and <br>',
    'HTML as text: free text search includes link targets':
      'ours leaves href URLs out of the search text; Mailpit (html2text.Strip with links) puts each http(s) href before its link text',
    'plus-addressing: a recipient tag becomes a message tag':
      'ours makes a plus-address tag (leader+t42@…) an isolation scope, not a message tag; Mailpit tags the message "t42" (its default plus-address tagging)',
    'latest with ?query=: the newest message matching a search':
      'ours ignores ?query= on /message/latest (it honours only its own ?scope=) and answers the newest message; Mailpit answers the newest message matching the search',
  },
});

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
