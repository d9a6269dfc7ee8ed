// The store without sockets: caps, ordering, events, deletes.
import { describe, expect, it } from 'vitest';
import { createStore } from '../../stack/mail/store/create-store.ts';
import type { MessageSummary, StoreEvent } from '../../stack/mail/store/types.ts';

type Fields = Omit<MessageSummary, 'id' | 'seq' | 'created' | 'read'>;
const fields = (subject: string, size: number): Fields =>
  ({
    messageId: '',
    subject,
    date: '',
    from: null,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    returnPath: '',
    size,
    attachments: [],
    snippet: '',
    tags: [],
    scopes: [],
    session: {} as MessageSummary['session'],
    searchText: '',
  }) as Fields;

describe('memory store', () => {
  it('evicts the oldest beyond maxBytes, with an event', async () => {
    const store = await createStore({ type: 'memory', maxBytes: 250 });
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    for (const s of ['a', 'b', 'c']) await store.add(Buffer.alloc(100), fields(s, 100));
    expect(store.list().map((m) => m.subject)).toEqual(['c', 'b']);
    expect(store.totalBytes).toBe(200);
    const evicted = events.at(-1) as Extract<StoreEvent, { type: 'deleted' }>;
    expect(evicted).toMatchObject({ type: 'deleted', reason: 'evicted' });
    expect(await store.raw(evicted.ids[0]!)).toBeUndefined();
  });

  it('keeps a single message larger than maxBytes', async () => {
    const store = await createStore({ type: 'memory', maxBytes: 10 });
    await store.add(Buffer.alloc(100), fields('big', 100));
    expect(store.count).toBe(1);
  });

  it('hands out increasing seqs and unique ids; delete and clear emit events', async () => {
    const store = await createStore('memory');
    const a = await store.add(Buffer.from('a'), fields('a', 1));
    const b = await store.add(Buffer.from('b'), fields('b', 1));
    expect(b.seq).toBe(a.seq + 1);
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[2-9A-HJ-NP-Za-km-z]{22}$/);
    const events: string[] = [];
    store.subscribe((e) => events.push(e.type === 'deleted' ? `${e.reason}:${e.ids.length}` : 'new'));
    expect(await store.delete([a.id, 'nope'])).toEqual([a.id]);
    await store.clear();
    expect(events).toEqual(['api:1', 'clear:1']);
    expect(store.lastSeq).toBe(2);
    await store.close();
    await expect(store.add(Buffer.from('x'), fields('x', 1))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});

describe('tags in the store', () => {
  it('one tag whatever its case: the first spelling names it until no message carries it', async () => {
    const store = await createStore('memory');
    const tagged = (subject: string, tags: string[]) => ({ ...fields(subject, 1), tags });
    const a = await store.add(Buffer.from('a'), tagged('a', ['Zed']));
    const b = await store.add(Buffer.from('b'), tagged('b', ['zed', 'other']));
    expect(b.tags).toEqual(['Zed', 'other']);
    await store.delete([a.id, b.id]);
    const c = await store.add(Buffer.from('c'), tagged('c', ['zed']));
    expect(c.tags).toEqual(['zed']);
  });
});
