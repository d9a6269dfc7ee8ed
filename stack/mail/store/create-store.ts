import { openDiskBackend } from './disk-backend.ts';
import { Mailbox } from './mailbox.ts';
import { createMemoryBackend } from './memory-backend.ts';
import type { MailStore } from './types.ts';

export interface MemoryStoreOptions {
  type: 'memory';
  /** Oldest messages are evicted (with a `deleted` event, reason `evicted`) beyond this count. @default 50000 */
  maxMessages?: number;
  /** Oldest messages are evicted beyond this many raw bytes in total. @default 536870912 (512 MiB) */
  maxBytes?: number;
}

export interface DiskStoreOptions {
  type: 'disk';
  /** Directory holding `messages/<id>.eml` and `messages/<id>.json`; created if missing. */
  dir: string;
  /** @default Infinity */
  maxMessages?: number;
  /** @default Infinity */
  maxBytes?: number;
}

export type StoreOptions = 'memory' | MemoryStoreOptions | DiskStoreOptions;

export async function createStore(options: StoreOptions = 'memory'): Promise<MailStore> {
  const o: MemoryStoreOptions | DiskStoreOptions = options === 'memory' ? { type: 'memory' } : options;
  if (o.type === 'disk') {
    const backend = await openDiskBackend(o.dir);
    return new Mailbox(
      backend,
      {
        maxMessages: o.maxMessages ?? Number.POSITIVE_INFINITY,
        maxBytes: o.maxBytes ?? Number.POSITIVE_INFINITY,
      },
      backend.existing,
    );
  }
  return new Mailbox(createMemoryBackend(), {
    maxMessages: o.maxMessages ?? 50_000,
    maxBytes: o.maxBytes ?? 512 * 1024 * 1024,
  });
}
