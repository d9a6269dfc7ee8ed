// Readiness by probing, never by sleeping blindly: polls a URL until it answers 2xx, with
// an overall deadline and a failure message that says what, where and how long.
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForHttpOptions {
  timeoutMs: number;
  /** Name for the error message, e.g. 'MinIO'. */
  what: string;
  /** Checked between probes; a string return aborts the wait with that message. */
  abortIf?: () => string | undefined;
  signal?: AbortSignal;
}

export async function waitForHttp(url: string, options: WaitForHttpOptions): Promise<void> {
  const started = Date.now();
  let lastError = 'no answer yet';
  let interval = 25;
  while (Date.now() - started < options.timeoutMs) {
    options.signal?.throwIfAborted();
    const aborted = options.abortIf?.();
    if (aborted) throw new Error(aborted);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = (err as Error).cause ? String((err as Error).cause) : String(err);
    }
    await delay(interval);
    interval = Math.min(interval * 2, 250);
  }
  throw new Error(
    `${options.what} was not ready at ${url} after ${options.timeoutMs} ms (last: ${lastError}).`,
  );
}
