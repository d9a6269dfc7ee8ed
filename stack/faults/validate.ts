// Small checks shared by the S3 and SMTP rule parsers: plain objects, known keys, strings.
import { invalid } from './errors.ts';

export function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${what} must be an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

export function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw invalid(`${what}: unknown field '${k}' (expected ${allowed.join(', ')})`);
  }
}

export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(`${name} must be a non-empty string`);
  return value;
}

export function positiveNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw invalid(`${name} must be a non-negative number of ms, got ${JSON.stringify(value)}`);
  return value;
}

/** The schedule and bookkeeping keys every rule may carry next to match and action. */
export const RULE_KEYS = [
  'id',
  'target',
  'match',
  'action',
  'first',
  'every',
  'probability',
  'seed',
  'ttlMs',
  'maxCount',
  'description',
] as const;

/** The optional `id` and `description` every rule may carry, present only when given. */
export function ruleLabels(r: Record<string, unknown>): { id?: string; description?: string } {
  const labels: { id?: string; description?: string } = {};
  const id = optionalString(r.id, 'id');
  if (id !== undefined) labels.id = id;
  const description = optionalString(r.description, 'description');
  if (description !== undefined) labels.description = description;
  return labels;
}
