// A bounded record of authorization decisions, newest last, for the in-process handle and the
// console: enough to answer "why was this request denied?" without unbounded growth.
import type { AccessDecision } from './types.ts';

export interface DecisionRecord {
  requestId: string;
  /** ISO 8601. */
  time: string;
  /** The caller's ARN, or `anonymous`. */
  principal: string;
  operation: string;
  action: string;
  resource: string;
  bucket?: string;
  key?: string;
  allowed: boolean;
  reason: string;
  decidedBy: NonNullable<AccessDecision['decidedBy']>;
}

export interface DecisionFilter {
  requestId?: string;
  allowed?: boolean;
  principal?: string;
  /** Newest N after filtering. */
  limit?: number;
}

export class DecisionLog {
  readonly capacity: number;
  #entries: DecisionRecord[] = [];
  #next = 0;

  /** @param capacity entries kept; the oldest are overwritten. @default 1000 */
  constructor(capacity = 1000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
  }

  add(record: DecisionRecord): void {
    if (this.#entries.length < this.capacity) this.#entries.push(record);
    else this.#entries[this.#next] = record;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Oldest first. */
  list(filter: DecisionFilter = {}): DecisionRecord[] {
    const ordered =
      this.#entries.length < this.capacity
        ? [...this.#entries]
        : [...this.#entries.slice(this.#next), ...this.#entries.slice(0, this.#next)];
    const kept = ordered.filter(
      (r) =>
        (filter.requestId === undefined || r.requestId === filter.requestId) &&
        (filter.allowed === undefined || r.allowed === filter.allowed) &&
        (filter.principal === undefined || r.principal === filter.principal),
    );
    return filter.limit === undefined ? kept : kept.slice(Math.max(0, kept.length - filter.limit));
  }

  clear(): void {
    this.#entries = [];
    this.#next = 0;
  }
}
