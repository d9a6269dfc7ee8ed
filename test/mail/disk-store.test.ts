// The disk store survives a restart with every message and id; an interrupted DATA leaves nothing.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startMailServer } from '../../stack/mail/server.ts';
import { RawSmtp, tempDir, transport } from './helpers.ts';

it('after stop and start every message is back with the same id, seq and bytes', async () => {
  using temp = tempDir('mail-disk-');
  const dir = temp.path;
  await using first = await startMailServer({ store: { type: 'disk', dir } });
  const tx = transport(first, { pool: true, maxConnections: 4 });
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      tx.sendMail({
        from: 'a@example.com',
        to: 'b@example.com',
        subject: `persisted ${i}`,
        text: '한국어 본문',
        attachments: i === 0 ? [{ filename: 'a.txt', content: 'attached' }] : [],
      }),
    ),
  );
  tx.close();
  const before = first.messages();
  const raws = await Promise.all(before.map((m) => first.raw(m.id)));
  first.store.setRead([before[3]!.id], true);
  await first.stop();

  await using second = await startMailServer({ store: { type: 'disk', dir } });
  const after = second.messages();
  expect(after.map((m) => [m.id, m.seq, m.subject])).toEqual(before.map((m) => [m.id, m.seq, m.subject]));
  for (const [i, m] of after.entries()) expect((await second.raw(m.id)).equals(raws[i]!)).toBe(true);
  expect(after.find((m) => m.subject === 'persisted 0')!.attachments[0]!.fileName).toBe('a.txt');
  await expect.poll(() => second.store.get(before[3]!.id)?.read).toBe(true);
  // New mail continues the sequence.
  await transport(second).sendMail({
    from: 'a@example.com',
    to: 'b@example.com',
    subject: 'after restart',
    text: 'x',
  });
  const [m] = await second.waitFor({ subject: 'after restart', timeout: 2000 });
  expect(m!.seq).toBe(21);
});

it('a client that disconnects mid-DATA leaves nothing stored, not even a file', async () => {
  using temp = tempDir('mail-disk-');
  const dir = temp.path;
  await using mail = await startMailServer({ store: { type: 'disk', dir } });
  const c = await RawSmtp.connect(mail.smtpPort);
  await c.reply();
  await c.command('EHLO client.test');
  await c.command('MAIL FROM:<a@example.com>');
  await c.command('RCPT TO:<b@example.com>');
  expect((await c.command('DATA')).code).toBe(354);
  c.write('Subject: half\r\n\r\nfirst half of the body\r\n');
  c.destroy();
  // Later mail still arrives; by then the aborted transaction has long been torn down.
  await transport(mail).sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'whole', text: 'x' });
  await mail.waitFor({ subject: 'whole', timeout: 2000 });
  expect(mail.messages().map((m) => m.subject)).toEqual(['whole']);
  expect(readdirSync(join(dir, 'messages')).sort()).toEqual(
    [`${mail.messages()[0]!.id}.eml`, `${mail.messages()[0]!.id}.json`].sort(),
  );
});
