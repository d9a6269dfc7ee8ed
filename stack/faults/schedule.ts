// When a matching rule applies: to the first N matches, every Nth, or with a seeded
// probability; bounded by a time to live and a maximum count. Counters are per rule.
import { invalid } from './errors.ts';
import { seededRandom } from './prng.ts';

/** The "when" of every fault rule, S3 and SMTP alike. At most one of first / every / probability. */
export interface FaultSchedule {
  /** Apply to the first N matching requests (or SMTP commands) only. @default every match */
  first?: number;
  /** Apply to every Nth match: the Nth, 2Nth, 3Nth... @default every match */
  every?: number;
  /** Apply to each match with this probability (0-1), drawn from a PRNG seeded with `seed`. */
  probability?: number;
  /** Seed of the probability draws: the same seed replays the same sequence. @default 1 */
  seed?: number;
  /** The rule expires this many ms after it was added. @default never */
  ttlMs?: number;
  /** The rule stops after it has applied this many times. @default unlimited */
  maxCount?: number;
}

export type FaultRuleStatus = 'active' | 'expired' | 'exhausted';

/** What list() reports next to each rule. */
export interface FaultRuleCounters {
  id: string;
  /** ms since epoch (the server's clock). */
  addedAt: number;
  expiresAt?: number;
  /** Requests / commands that matched the rule while it was active. */
  matched: number;
  /** How many of those it acted on. */
  applied: number;
  status: FaultRuleStatus;
}

function positiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw invalid(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/** Validates and copies the schedule fields of a rule object. */
export function parseSchedule(raw: Record<string, unknown>): FaultSchedule {
  const s: FaultSchedule = {
    first: positiveInt(raw.first, 'first'),
    every: positiveInt(raw.every, 'every'),
    maxCount: positiveInt(raw.maxCount, 'maxCount'),
  };
  const chosen = ['first', 'every', 'probability'].filter((k) => raw[k] !== undefined);
  if (chosen.length > 1) throw invalid(`use one of first, every, probability (got ${chosen.join(' and ')})`);
  if (raw.probability !== undefined) {
    const p = raw.probability;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      throw invalid(`probability must be a number from 0 to 1, got ${JSON.stringify(p)}`);
    s.probability = p;
  }
  if (raw.seed !== undefined) {
    if (typeof raw.seed !== 'number' || !Number.isInteger(raw.seed))
      throw invalid(`seed must be an integer, got ${JSON.stringify(raw.seed)}`);
    if (s.probability === undefined) throw invalid('seed only makes sense with probability');
    s.seed = raw.seed;
  }
  if (raw.ttlMs !== undefined) {
    if (typeof raw.ttlMs !== 'number' || !(raw.ttlMs > 0))
      throw invalid(`ttlMs must be a positive number, got ${JSON.stringify(raw.ttlMs)}`);
    s.ttlMs = raw.ttlMs;
  }
  for (const k of Object.keys(s) as (keyof FaultSchedule)[]) if (s[k] === undefined) delete s[k];
  return s;
}

/** The mutable state of one rule's schedule. */
export class ScheduleState {
  readonly addedAt: number;
  readonly expiresAt?: number;
  matched = 0;
  applied = 0;
  readonly #schedule: FaultSchedule;
  readonly #random?: () => number;

  constructor(schedule: FaultSchedule, now: number) {
    this.#schedule = schedule;
    this.addedAt = now;
    if (schedule.ttlMs !== undefined) this.expiresAt = now + schedule.ttlMs;
    if (schedule.probability !== undefined) this.#random = seededRandom(schedule.seed ?? 1);
  }

  status(now: number): FaultRuleStatus {
    if (this.expiresAt !== undefined && now >= this.expiresAt) return 'expired';
    const s = this.#schedule;
    if (s.maxCount !== undefined && this.applied >= s.maxCount) return 'exhausted';
    if (s.first !== undefined && this.matched >= s.first) return 'exhausted';
    return 'active';
  }

  /** Counts one match (the caller checked status() is active) and says whether the rule fires on it. */
  fires(): boolean {
    this.matched++;
    const s = this.#schedule;
    if (s.first !== undefined) return this.matched <= s.first;
    if (s.every !== undefined) return this.matched % s.every === 0;
    // Drawn on every match, fired or not, so the sequence depends on the seed alone.
    if (this.#random) return this.#random() < (s.probability as number);
    return true;
  }
}
