// The one MailStore implementation: an in-memory index of summaries (ordered by sequence
// number, looked up by id) plus events; where the raw bytes live is the backend's business.
import { MailError } from '../errors.ts';
import { newMessageId } from '../ids.ts';
import type { MailStore, MessageSummary, StoreEvent, StoreListener } from './types.ts';

export interface RawBackend {
  readonly kind: 'memory' | 'disk';
  /** Must not resolve before the message would survive a crash of this process (disk). */
  put(summary: MessageSummary, raw: Buffer): Promise<void>;
  get(id: string): Promise<Buffer | undefined>;
  remove(ids: string[]): Promise<void>;
  /** Persists a changed summary (read flag); best effort, not on the SMTP path. */
  update(summary: MessageSummary): Promise<void>;
  close(): Promise<void>;
}

export interface MailboxCaps {
  maxMessages: number;
  maxBytes: number;
}

export class Mailbox implements MailStore {
  readonly kind: 'memory' | 'disk';
  #backend: RawBackend;
  readonly #pendingWrites = new Set<Promise<void>>();
  #caps: MailboxCaps;
  /** Ascending by seq: appends are O(1), the oldest is at index 0 for eviction. */
  #ordered: MessageSummary[] = [];
  #byId = new Map<string, MessageSummary>();
  #listeners = new Set<StoreListener>();
  #lastSeq = 0;
  #bytes = 0;
  /** Tags in use, by lower-cased name: the spelling that named it first, and how many carry it. */
  #tags = new Map<string, { name: string; count: number }>();
  #closed = false;

  constructor(backend: RawBackend, caps: MailboxCaps, existing: MessageSummary[] = []) {
    this.kind = backend.kind;
    this.#backend = backend;
    this.#caps = caps;
    for (const m of [...existing].sort((a, b) => a.seq - b.seq)) {
      this.#useTags(m);
      this.#index(m);
    }
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }
  get count(): number {
    return this.#ordered.length;
  }
  get totalBytes(): number {
    return this.#bytes;
  }

  async add(
    raw: Buffer,
    fields: Omit<MessageSummary, 'id' | 'seq' | 'created' | 'read'>,
  ): Promise<MessageSummary> {
    if (this.#closed) throw new MailError('STORE_CLOSED', 'The mail store is closed.');
    // The sequence number is taken before the await so concurrent adds keep arrival order.
    const summary: MessageSummary = {
      // A JSON round trip copies every string: mailparser's values are often slices that
      // keep whole header and body strings alive, ~3 KB per message held for nothing. Not the
      // search text, the largest field: summarize builds it as a string of its own.
      ...(JSON.parse(JSON.stringify({ ...fields, searchText: '' })) as typeof fields),
      searchText: fields.searchText,
      id: newMessageId(),
      seq: ++this.#lastSeq,
      created: new Date().toISOString(),
      read: false,
    };
    // Before the await, so that of two messages arriving together the first names the tag.
    this.#useTags(summary);
    try {
      await this.#backend.put(summary, raw);
    } catch (err) {
      this.#dropTags(summary);
      throw new MailError('STORE_FAILED', `Storing message failed: ${(err as Error).message}`);
    }
    this.#index(summary);
    this.#emit({ type: 'new', message: summary });
    await this.#evict();
    return summary;
  }

  get(id: string): MessageSummary | undefined {
    return this.#byId.get(id);
  }

  list(): MessageSummary[] {
    return this.#ordered.toReversed();
  }

  latest(): MessageSummary | undefined {
    return this.#ordered.at(-1);
  }

  raw(id: string): Promise<Buffer | undefined> {
    if (!this.#byId.has(id)) return Promise.resolve(undefined);
    return this.#backend.get(id);
  }

  async delete(ids: string[], reason: 'api' | 'clear' = 'api'): Promise<string[]> {
    return this.#remove(ids, reason);
  }

  async clear(): Promise<void> {
    await this.#remove(
      this.#ordered.map((m) => m.id),
      'clear',
    );
  }

  setRead(ids: string[], read: boolean): void {
    for (const id of ids) {
      const m = this.#byId.get(id);
      if (!m || m.read === read) continue;
      m.read = read;
      // Not awaited by callers (the API answers at once), but tracked so close() flushes it:
      // a flag set just before a stop must survive the restart.
      const write = this.#backend.update(m).catch(() => {});
      this.#pendingWrites.add(write);
      write.finally(() => this.#pendingWrites.delete(write));
    }
  }

  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await Promise.all(this.#pendingWrites);
    await this.#backend.close();
  }

  /** As in Mailpit, a tag is one name whatever its case: "zed" joins an existing "Zed". */
  #useTags(m: MessageSummary): void {
    m.tags = m.tags.map((name) => {
      const tag = this.#tags.get(name.toLowerCase());
      if (!tag) {
        this.#tags.set(name.toLowerCase(), { name, count: 1 });
        return name;
      }
      tag.count++;
      return tag.name;
    });
  }

  /** A tag no message carries any more is gone, so its next use may spell it anew. */
  #dropTags(m: MessageSummary): void {
    for (const name of m.tags) {
      const tag = this.#tags.get(name.toLowerCase());
      if (tag && --tag.count === 0) this.#tags.delete(name.toLowerCase());
    }
  }

  #index(m: MessageSummary): void {
    // Inserts keep seq order even if a slower put finishes after a later one.
    let i = this.#ordered.length;
    while (i > 0 && this.#ordered[i - 1]!.seq > m.seq) i--;
    this.#ordered.splice(i, 0, m);
    this.#byId.set(m.id, m);
    this.#bytes += m.size;
    if (m.seq > this.#lastSeq) this.#lastSeq = m.seq;
  }

  async #evict(): Promise<void> {
    const victims: string[] = [];
    let count = this.#ordered.length;
    let bytes = this.#bytes;
    for (const m of this.#ordered) {
      if (count <= this.#caps.maxMessages && bytes <= this.#caps.maxBytes) break;
      // Never evict the only message: a single message larger than maxBytes is still kept.
      if (count === 1) break;
      victims.push(m.id);
      count--;
      bytes -= m.size;
    }
    if (victims.length) await this.#remove(victims, 'evicted');
  }

  async #remove(ids: string[], reason: 'api' | 'clear' | 'evicted'): Promise<string[]> {
    const removed: MessageSummary[] = [];
    for (const id of new Set(ids)) {
      const m = this.#byId.get(id);
      if (!m) continue;
      this.#byId.delete(id);
      this.#bytes -= m.size;
      this.#dropTags(m);
      removed.push(m);
    }
    if (!removed.length) return [];
    const gone = new Set(removed.map((m) => m.id));
    this.#ordered = this.#ordered.filter((m) => !gone.has(m.id));
    await this.#backend.remove([...gone]);
    this.#emit({ type: 'deleted', ids: [...gone], scopes: removed.map((m) => m.scopes), reason });
    return [...gone];
  }

  #emit(event: StoreEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not fail the SMTP transaction that triggered the event.
      }
    }
  }
}
