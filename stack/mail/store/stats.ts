import type { MailStore } from './types.ts';

/** Runtime counters for /api/v1/info (Mailpit's RuntimeStats). */
export class MailStats {
  readonly startedAt = Date.now();
  accepted = 0;
  acceptedBytes = 0;
  deleted = 0;
  rejected = 0;

  constructor(store: MailStore) {
    store.subscribe((e) => {
      if (e.type === 'new') {
        this.accepted++;
        this.acceptedBytes += e.message.size;
      } else this.deleted += e.ids.length;
    });
  }
}
