// Verdicts per stored message, checked on first request and cached until the message is
// deleted. Checking every message on arrival cost ~5 ms of CPU and ~37 KB of allocation per
// message (mailauth's DKIM parser) whether or not anyone asked, which halved the server's
// throughput under load; nobody waits on the SMTP path either way. The zone in force when a
// message is first checked is the one that decides.
import type { MailStore, MessageSummary } from '../store/types.ts';
import type { DnsZone } from './dns-zone.ts';
import { type AuthVerdicts, checkMessage } from './verdicts.ts';

export interface MessageAuth {
  /** The message's verdicts; rejects with the store's NOT_FOUND semantics via `undefined`. */
  verdicts(id: string): Promise<AuthVerdicts | undefined>;
  /** Stops listening to the store. */
  close(): void;
}

export function createMessageAuth(store: MailStore, zone: DnsZone, mta = 'captured-mail'): MessageAuth {
  const checks = new Map<string, Promise<AuthVerdicts>>();
  const check = (summary: MessageSummary): Promise<AuthVerdicts> => {
    let pending = checks.get(summary.id);
    if (!pending) {
      pending = store.raw(summary.id).then((raw) => {
        if (!raw) throw new Error(`Message ${summary.id} has no stored content`);
        return checkMessage(raw, summary.session, { resolver: zone.resolve, mta });
      });
      // A failed check (the message vanished mid-way) is not cached: asking again retries.
      pending.catch(() => checks.delete(summary.id));
      checks.set(summary.id, pending);
    }
    return pending;
  };
  const unsubscribe = store.subscribe((event) => {
    if (event.type === 'deleted') for (const id of event.ids) checks.delete(id);
  });
  return {
    async verdicts(id) {
      const summary = store.get(id);
      return summary ? check(summary) : undefined;
    },
    close: unsubscribe,
  };
}
