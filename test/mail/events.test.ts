// GET /api/v1/events: a live SSE stream of new and deleted messages, per scope if asked.
import { expect, it } from 'vitest';
import { startMailServer } from '../../stack/mail/server.ts';
import { transport } from './helpers.ts';

interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
}

async function* sse(
  url: string,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): AsyncGenerator<SseEvent> {
  const res = await fetch(url, { signal, headers });
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((l) => !l.startsWith(':'))
          .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
      );
      if (fields.event) yield { event: fields.event, id: fields.id, data: JSON.parse(fields.data) };
    }
  }
}

it('streams new and deleted events for one scope only', async () => {
  await using mail = await startMailServer({ ports: { api: 0 } });
  const ac = new AbortController();
  const stream = sse(`${mail.apiUrl}/api/v1/events?scope=t7`, ac.signal);
  expect((await stream.next()).value).toMatchObject({ event: 'ready' });
  const tx = transport(mail);
  await tx.sendMail({ from: 'a@example.com', to: 'x+other@example.com', subject: 'not mine', text: 'x' });
  await tx.sendMail({ from: 'a@example.com', to: 'x+t7@example.com', subject: 'mine', text: 'x' });
  const created = (await stream.next()).value as SseEvent;
  expect(created.event).toBe('new');
  expect(created.data).toMatchObject({ Subject: 'mine', Scopes: ['t7'] });
  const id = (created.data as { ID: string }).ID;
  await fetch(`${mail.apiUrl}/api/v1/messages`, { method: 'DELETE', body: JSON.stringify({ IDs: [id] }) });
  expect((await stream.next()).value).toMatchObject({ event: 'deleted', data: { IDs: [id], Reason: 'api' } });
  ac.abort();
});

it('replays what a reconnecting client missed (Last-Event-ID)', async () => {
  await using mail = await startMailServer({ ports: { api: 0 } });
  const tx = transport(mail);
  await tx.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'one', text: 'x' });
  await tx.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'two', text: 'x' });
  const ac = new AbortController();
  const stream = sse(`${mail.apiUrl}/api/v1/events`, ac.signal, { 'Last-Event-ID': '1' });
  expect((await stream.next()).value).toMatchObject({ event: 'ready', data: { seq: 2 } });
  expect((await stream.next()).value).toMatchObject({ event: 'new', id: '2', data: { Subject: 'two' } });
  ac.abort();
});

it('memory caps evict the oldest with a deleted event (reason evicted)', async () => {
  await using mail = await startMailServer({ store: { type: 'memory', maxMessages: 2 } });
  const events: string[] = [];
  mail.on((e) => events.push(e.type === 'new' ? `new:${e.message.subject}` : `${e.reason}:${e.ids.length}`));
  const tx = transport(mail);
  for (const s of ['a', 'b', 'c'])
    await tx.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: s, text: 'x' });
  expect(mail.messages().map((m) => m.subject)).toEqual(['b', 'c']);
  expect(events).toEqual(['new:a', 'new:b', 'new:c', 'evicted:1']);
});
