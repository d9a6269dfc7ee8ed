// 1,000 messages over 16 concurrent connections: none lost, none duplicated, seqs contiguous.
import { expect, it } from 'vitest';
import { startMailServer } from '../../stack/mail/server.ts';
import { transport } from './helpers.ts';

it('1,000 messages over 16 pooled connections arrive exactly once', async () => {
  await using mail = await startMailServer();
  const tx = transport(mail, { pool: true, maxConnections: 16, maxMessages: Number.POSITIVE_INFINITY });
  const ids = Array.from({ length: 1000 }, (_, i) => `load-${i}`);
  const results = await Promise.all(
    ids.map((id) =>
      tx.sendMail({
        from: 'a@example.com',
        to: 'b@example.com',
        subject: id,
        text: `body of ${id}`,
        headers: { 'X-Load-Id': id },
      }),
    ),
  );
  tx.close();
  expect(results.every((r) => r.response.startsWith('250 '))).toBe(true);
  const stored = mail.messages();
  expect(stored).toHaveLength(1000);
  expect(new Set(stored.map((m) => m.subject))).toEqual(new Set(ids));
  expect(new Set(stored.map((m) => m.id)).size).toBe(1000);
  expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  // More than one connection was really used.
  expect(new Set(stored.map((m) => m.session.clientPort)).size).toBeGreaterThan(1);
  // Correctness, not speed: none lost, none duplicated. A loaded CI machine may take a while.
}, 60_000);
