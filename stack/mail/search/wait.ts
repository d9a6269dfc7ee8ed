// Waiting for mail without polling: check what is already stored, then listen to the store's
// `new` events until enough matching messages exist, the time is up or the caller aborts.
import { MailError } from '../errors.ts';
import type { MailStore, MessageSummary } from '../store/types.ts';
import { compileFilter, type MessageFilter } from './filter.ts';

export interface WaitOptions extends MessageFilter {
  /** How many matching messages to wait for. @default 1 */
  count?: number;
  /** @default 5000 */
  timeout?: number;
  signal?: AbortSignal;
}

function matchingNow(store: MailStore, predicate: (m: MessageSummary) => boolean): MessageSummary[] {
  // list() is newest first; callers get arrival order.
  return store
    .list()
    .filter(predicate)
    .sort((a, b) => a.seq - b.seq);
}

/**
 * Resolves with the first `count` matching messages in arrival order. On timeout rejects with
 * MailError WAIT_TIMEOUT whose details.arrived lists the matching messages that did arrive.
 */
export function waitForMessages(store: MailStore, options: WaitOptions = {}): Promise<MessageSummary[]> {
  const count = options.count ?? 1;
  const timeout = options.timeout ?? 5000;
  const predicate = compileFilter(options);
  const found = matchingNow(store, predicate);
  if (found.length >= count) return Promise.resolve(found.slice(0, count));
  return new Promise((resolve, reject) => {
    const seen = new Set(found.map((m) => m.id));
    const cleanup = () => {
      clearTimeout(timer);
      unsubscribe();
      options.signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      cleanup();
      reject(new MailError('WAIT_ABORTED', 'Waiting for mail was aborted.', { arrived: found }));
    };
    const unsubscribe = store.subscribe((event) => {
      if (event.type === 'deleted') {
        // A message deleted while we wait no longer counts: the caller could not fetch it.
        for (const id of event.ids) {
          if (!seen.delete(id)) continue;
          found.splice(
            found.findIndex((m) => m.id === id),
            1,
          );
        }
        return;
      }
      if (!predicate(event.message) || seen.has(event.message.id)) return;
      seen.add(event.message.id);
      found.push(event.message);
      if (found.length >= count) {
        cleanup();
        resolve(found.slice(0, count));
      }
    });
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new MailError(
          'WAIT_TIMEOUT',
          `Timed out after ${timeout} ms waiting for ${count} message(s) matching ${describe(options)}; ${found.length} arrived.`,
          { arrived: [...found], expected: count, timeout },
        ),
      );
    }, timeout);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The "expect none" form: resolves after `timeout` ms if no matching message arrived (or was
 * already there after `afterSeq`), rejects with UNEXPECTED_MESSAGE the moment one does.
 */
export async function expectNoMessages(store: MailStore, options: WaitOptions = {}): Promise<void> {
  try {
    const got = await waitForMessages(store, { ...options, count: 1 });
    throw new MailError(
      'UNEXPECTED_MESSAGE',
      `Expected no message matching ${describe(options)}, but one arrived.`,
      {
        arrived: got,
      },
    );
  } catch (err) {
    if (err instanceof MailError && err.code === 'WAIT_TIMEOUT') return;
    throw err;
  }
}

export function describe(f: MessageFilter): string {
  const parts = Object.entries({
    to: f.to,
    from: f.from,
    subject: f.subject,
    scope: f.scope,
    query: f.query,
    afterSeq: f.afterSeq,
  })
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? `{ ${parts.join(', ')} }` : 'anything';
}
