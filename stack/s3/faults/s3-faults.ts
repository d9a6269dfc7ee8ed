// The S3 server's fault rules and how the request handler applies them. The handler asks once
// per request, after authentication and routing (so the operation and principal are known) and
// before the bucket lookup, authorization and the operation itself: an injected error means the
// operation did not happen, as with S3's own 503 SlowDown.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultSet, type ListedRule } from '../../faults/fault-set.ts';
import type { RequestLogEntry } from '../options.ts';
import { injectedError } from './injected-error.ts';
import { parseS3Rule, type S3FaultEvent, type S3FaultRule, s3RuleMatches } from './s3-rules.ts';

/** The handle's `faults`: rules are validated on add (FaultError INVALID_RULE). */
export interface S3Faults {
  /** Adds a rule; returns its id (the rule's own `id`, or `s3-<n>`). */
  add(rule: S3FaultRule): string;
  /** Every rule with its counters (matched, applied) and status (active, expired, exhausted). */
  list(): ListedRule<S3FaultRule>[];
  /** Removes one rule; false if there was none with that id. */
  remove(id: string): boolean;
  clear(): void;
}

export class S3FaultController implements S3Faults {
  readonly #set: FaultSet<S3FaultRule, S3FaultEvent>;
  /** Requests held unanswered, destroyed when the server stops so stop() stays prompt. */
  readonly #held = new Set<ServerResponse>();
  readonly #stopping = new AbortController();

  constructor(now: () => number) {
    this.#set = new FaultSet({ prefix: 's3', now, parse: parseS3Rule, matches: s3RuleMatches });
  }

  add(rule: S3FaultRule): string {
    return this.#set.add(rule);
  }

  list(): ListedRule<S3FaultRule>[] {
    return this.#set.list();
  }

  remove(id: string): boolean {
    return this.#set.remove(id);
  }

  clear(): void {
    this.#set.clear();
  }

  /**
   * Applies the rule that fires on this request, if any: 'continue' when the request goes on
   * (no rule fired; a promise of it after a delay), 'handled' when the fault took the response
   * over (held or dropped); throws the injected S3Error for the handler to render. Only a delay
   * is asynchronous: the common case, no rule, costs the handler no await.
   */
  intercept(
    event: S3FaultEvent,
    req: IncomingMessage,
    res: ServerResponse,
    log: RequestLogEntry,
  ): 'continue' | 'handled' | Promise<'continue'> {
    const rule = this.#set.decide(event);
    if (!rule) return 'continue';
    const { action } = rule;
    log.fault = { id: rule.id, action: action.type };
    switch (action.type) {
      case 'error':
        throw injectedError(action);
      case 'delay':
        // A stopping server lets delayed requests finish at once rather than hold stop() up.
        return sleep(action.ms, undefined, { signal: this.#stopping.signal }).then(
          () => 'continue' as const,
          () => 'continue' as const,
        );
      case 'no-response':
        // Read (and discard) the body, so neither the client's send nor the idle timeout's
        // "client stalled" check sees anything but a server that never answers.
        req.resume();
        // 499: the request ended with the client giving up, as nginx logs it.
        res.statusCode = 499;
        this.#held.add(res);
        res.once('close', () => this.#held.delete(res));
        return 'handled';
      case 'drop':
        // 444: closed without a response (nginx's code for exactly this).
        res.statusCode = 444;
        res.destroy();
        return 'handled';
    }
  }

  /** Called by stop(): held requests are cut off, delays end. */
  release(): void {
    this.#stopping.abort();
    for (const res of this.#held) res.destroy();
    this.#held.clear();
  }
}
