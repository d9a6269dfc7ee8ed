// One ordered set of rules with ids, shared by the S3 and the SMTP server. On each event the
// active rules that match count it; the first (in the order added) whose schedule fires wins.
import { FaultError } from './errors.ts';
import { type FaultRuleCounters, type FaultSchedule, ScheduleState } from './schedule.ts';

export interface FaultSetOptions<R, E> {
  /** Ids given to rules without one: `<prefix>-1`, `<prefix>-2`... */
  prefix: string;
  /** The server's clock (ms since epoch), for time to live. */
  now: () => number;
  /** Validates an incoming rule and returns its normalized copy; throws FaultError. */
  parse: (raw: unknown) => R;
  matches: (rule: R, event: E) => boolean;
}

export type ListedRule<R> = R & FaultRuleCounters;

export class FaultSet<R extends FaultSchedule & { id?: string }, E> {
  readonly #o: FaultSetOptions<R, E>;
  readonly #rules = new Map<string, { rule: R & { id: string }; state: ScheduleState }>();
  #next = 1;

  constructor(options: FaultSetOptions<R, E>) {
    this.#o = options;
  }

  /** Adds a rule (validated); returns its id. */
  add(raw: unknown): string {
    const rule = this.#o.parse(raw);
    let id = rule.id;
    if (id !== undefined && this.#rules.has(id))
      throw new FaultError('DUPLICATE_ID', `a fault rule with id '${id}' already exists`);
    if (id === undefined) {
      do id = `${this.#o.prefix}-${this.#next++}`;
      while (this.#rules.has(id));
    }
    this.#rules.set(id, { rule: { ...rule, id }, state: new ScheduleState(rule, this.#o.now()) });
    return id;
  }

  list(): ListedRule<R>[] {
    const now = this.#o.now();
    return [...this.#rules.values()].map(({ rule, state }) => ({
      ...rule,
      addedAt: state.addedAt,
      ...(state.expiresAt !== undefined ? { expiresAt: state.expiresAt } : {}),
      matched: state.matched,
      applied: state.applied,
      status: state.status(now),
    }));
  }

  remove(id: string): boolean {
    return this.#rules.delete(id);
  }

  clear(): void {
    this.#rules.clear();
  }

  get size(): number {
    return this.#rules.size;
  }

  /**
   * The rule that acts on this event, if any. `only` narrows which rules take part (the SMTP
   * connect stage is decided in two places: TLS failures before the handshake, the rest after).
   */
  decide(event: E, only?: (rule: R) => boolean): (R & { id: string }) | undefined {
    if (this.#rules.size === 0) return undefined;
    const now = this.#o.now();
    let chosen: (R & { id: string }) | undefined;
    for (const { rule, state } of this.#rules.values()) {
      if (only && !only(rule)) continue;
      if (state.status(now) !== 'active' || !this.#o.matches(rule, event)) continue;
      if (state.fires() && !chosen) {
        state.applied++;
        chosen = rule;
      }
    }
    return chosen;
  }
}
