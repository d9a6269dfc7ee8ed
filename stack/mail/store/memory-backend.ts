import type { RawBackend } from './mailbox.ts';

/** Raw messages as Buffers in a Map: nothing survives a restart, by design. */
export function createMemoryBackend(): RawBackend {
  const raws = new Map<string, Buffer>();
  return {
    kind: 'memory',
    async put(summary, raw) {
      raws.set(summary.id, raw);
    },
    async get(id) {
      return raws.get(id);
    },
    async remove(ids) {
      for (const id of ids) raws.delete(id);
    },
    async update() {},
    async close() {
      raws.clear();
    },
  };
}
