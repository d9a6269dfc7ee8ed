// Applying a POST policy to a form: expiration, every condition in order, then the rule that
// every field must be named by some condition. Field names match case-insensitively, values
// case-sensitively; `bucket` is always the bucket the form was posted to.
import type { FormField } from './form.ts';
import type { MatchCondition, PostPolicy } from './policy.ts';
import { policyDenied } from './post-errors.ts';

/** Fields no condition needs to name (the SigV4 list of the POST Policy page). */
const EXEMPT = new Set(['x-amz-signature', 'file', 'policy']);

export interface SizeRange {
  min: number;
  max: number;
}

export function checkExpiration(policy: PostPolicy, now: number): void {
  if (now > policy.expiration) throw policyDenied('Policy expired.');
}

/**
 * Every condition must hold; the first that does not is reported as S3 prints it. Returns the
 * content-length-range, which can only be checked as the file streams.
 */
export function checkConditions(policy: PostPolicy, values: Map<string, string>, bucket: string): SizeRange {
  const range: SizeRange = { min: 0, max: Number.POSITIVE_INFINITY };
  for (const c of policy.conditions) {
    if (c.kind === 'range') {
      const min = bound(c.min);
      const max = bound(c.max);
      if (min === undefined || max === undefined) throw failed(c.display);
      range.min = Math.max(range.min, min);
      range.max = Math.min(range.max, max);
    } else if (!holds(c, values, bucket)) {
      throw failed(c.display);
    }
  }
  return range;
}

/** "Extra input fields": names as sent, in form order. */
export function checkCoverage(policy: PostPolicy, fields: FormField[]): void {
  const named = new Set<string>();
  for (const c of policy.conditions) {
    if (c.kind === 'match' && c.field.startsWith('$')) named.add(c.field.slice(1).toLowerCase());
  }
  const extra: string[] = [];
  for (const { name } of fields) {
    const lower = name.toLowerCase();
    if (EXEMPT.has(lower) || lower.startsWith('x-ignore-') || named.has(lower)) continue;
    if (!extra.includes(name)) extra.push(name);
  }
  if (extra.length > 0) throw policyDenied(`Extra input fields: ${extra.join(', ')}`);
}

function failed(display: string) {
  return policyDenied(`Policy Condition failed: ${display}`);
}

function bound(v: number | string): number | undefined {
  if (typeof v === 'number') return v;
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

function holds(c: MatchCondition, values: Map<string, string>, bucket: string): boolean {
  if (!c.field.startsWith('$')) return false;
  const name = c.field.slice(1).toLowerCase();
  const value = name === 'bucket' ? bucket : values.get(name);
  // A condition on a field the form lacks fails, even `starts-with ""`.
  if (value === undefined) return false;
  if (c.op === 'eq') return value === c.value;
  // A Content-Type with commas is a list; each entry must match.
  if (name === 'content-type' && value.includes(',')) {
    return value.split(',').every((t) => t.trim().startsWith(c.value));
  }
  return value.startsWith(c.value);
}
