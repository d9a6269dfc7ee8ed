// The S3 requests the app made, as the stack logged them. A request is logged when its
// connection closes, which can be a moment after the client has its answer: waitFor() waits
// for the entry instead of assuming it is already there.

import type { RequestLogEntry } from '../../../stack/s3/options.ts';
import type { Stack } from '../../../stack/stack.ts';

export interface RequestRecorder extends Disposable {
  readonly entries: RequestLogEntry[];
  operations(): string[];
  waitFor(operation: string, timeout?: number): Promise<RequestLogEntry>;
}

export function recordRequests(stack: Stack): RequestRecorder {
  const entries: RequestLogEntry[] = [];
  const waiters = new Set<(entry: RequestLogEntry) => void>();
  const onRequest = (entry: RequestLogEntry) => {
    entries.push(entry);
    for (const waiter of waiters) waiter(entry);
  };
  stack.events.on('request', onRequest);
  return {
    entries,
    operations: () => entries.map((e) => e.operation),
    waitFor(operation, timeout = 2000) {
      const seen = entries.find((e) => e.operation === operation);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `no ${operation} request within ${timeout} ms; saw: ${entries.map((e) => e.operation).join(', ') || 'none'}`,
            ),
          );
        }, timeout);
        const waiter = (entry: RequestLogEntry) => {
          if (entry.operation !== operation) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(entry);
        };
        waiters.add(waiter);
      });
    },
    [Symbol.dispose]() {
      stack.events.off('request', onRequest);
      waiters.clear();
    },
  };
}
