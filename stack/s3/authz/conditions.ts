// Condition operators as IAM evaluates them. Within one clause the policy's values are OR'ed;
// clauses (keys and operators) are AND'ed. A missing key: a positive operator fails, a negated
// one (`StringNotEquals`, `NotIpAddress`, ...) holds, `...IfExists` holds, `ForAllValues` holds,
// `ForAnyValue` fails; `Null` tests presence itself.
import { cidrContains, parseCidr, parseIp } from './ip.ts';
import type { ConditionBase, ConditionClause, PolicyVersion } from './policy-types.ts';
import { type ContextValues, compilePattern, normalizeKey, substituteVariables } from './wildcard.ts';

export const CONDITION_BASES: readonly ConditionBase[] = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
];

const NEGATED = new Set<ConditionBase>([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
  'ArnNotEquals',
  'ArnNotLike',
]);

export function isNegated(base: ConditionBase): boolean {
  return NEGATED.has(base);
}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; undefined for an unknown operator. */
export function parseOperator(
  operator: string,
): Pick<ConditionClause, 'base' | 'set' | 'ifExists'> | undefined {
  let rest = operator;
  let set: ConditionClause['set'];
  for (const prefix of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${prefix}:`)) {
      set = prefix;
      rest = rest.slice(prefix.length + 1);
    }
  }
  const ifExists = rest.endsWith('IfExists');
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  const base = CONDITION_BASES.find((b) => b === rest);
  if (!base || (base === 'Null' && (ifExists || set))) return undefined;
  return { base, set, ifExists };
}

function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** ISO 8601 or epoch seconds, as IAM accepts for Date operators. */
export function parseDate(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function compare(base: string, a: number, b: number): boolean {
  if (base.endsWith('LessThanEquals')) return a <= b;
  if (base.endsWith('LessThan')) return a < b;
  if (base.endsWith('GreaterThanEquals')) return a >= b;
  if (base.endsWith('GreaterThan')) return a > b;
  return a === b; // Equals / NotEquals (negation applied by the caller)
}

/** ARN comparison: each of the six colon-separated parts matched on its own, case-sensitively. */
function arnMatches(pattern: string, value: string, vars: ContextValues, version: PolicyVersion): boolean {
  const split = (arn: string) => {
    const parts = arn.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const v = split(value);
  if (!p || !v) return false;
  return p.every((part, i) => compilePattern(part, { vars, version })?.test(v[i]!) ?? false);
}

/** The positive test of one context value against one policy value. */
function positiveTest(
  base: ConditionBase,
  contextValue: string,
  policyValue: string,
  vars: ContextValues,
  version: PolicyVersion,
): boolean {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return substituteVariables(policyValue, vars, version) === contextValue;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return substituteVariables(policyValue, vars, version)?.toLowerCase() === contextValue.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return compilePattern(policyValue, { vars, version })?.test(contextValue) ?? false;
    case 'NumericEquals':
    case 'NumericNotEquals':
    case 'NumericLessThan':
    case 'NumericLessThanEquals':
    case 'NumericGreaterThan':
    case 'NumericGreaterThanEquals': {
      const a = parseNumber(contextValue);
      const b = parseNumber(policyValue);
      return a !== undefined && b !== undefined && compare(base, a, b);
    }
    case 'DateEquals':
    case 'DateNotEquals':
    case 'DateLessThan':
    case 'DateLessThanEquals':
    case 'DateGreaterThan':
    case 'DateGreaterThanEquals': {
      const a = parseDate(contextValue);
      const b = parseDate(policyValue);
      return a !== undefined && b !== undefined && compare(base, a, b);
    }
    case 'Bool':
      return contextValue.toLowerCase() === policyValue.toLowerCase();
    case 'BinaryEquals':
      return contextValue === policyValue;
    case 'IpAddress':
    case 'NotIpAddress': {
      const cidr = parseCidr(policyValue);
      const ip = parseIp(contextValue);
      return cidr !== undefined && ip !== undefined && cidrContains(cidr, ip);
    }
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return arnMatches(policyValue, contextValue, vars, version);
    case 'Null':
      return false; // handled by evaluateClause
  }
}

/** Evaluates one operator/key clause against the request's context values. */
export function evaluateClause(
  clause: ConditionClause,
  vars: ContextValues,
  version: PolicyVersion,
): boolean {
  const found = vars.get(normalizeKey(clause.key));
  const present = found !== undefined && found.length > 0;
  if (clause.base === 'Null') {
    return clause.values.some((v) => (v.toLowerCase() === 'true' ? !present : present));
  }
  const negated = isNegated(clause.base);
  const matchesAny = (c: string) => clause.values.some((v) => positiveTest(clause.base, c, v, vars, version));
  const valueHolds = (c: string) => (negated ? !matchesAny(c) : matchesAny(c));
  if (!present) {
    if (clause.ifExists) return true;
    if (clause.set === 'ForAllValues') return true;
    if (clause.set === 'ForAnyValue') return false;
    return negated;
  }
  if (clause.set === 'ForAllValues') return found.every(valueHolds);
  if (clause.set === 'ForAnyValue') return found.some(valueHolds);
  // A single-valued operator on a multi-valued key: the positive form holds if any value
  // matches; the negated form holds only if none does.
  const any = found.some(matchesAny);
  return negated ? !any : any;
}

/** The first clause that fails, or undefined when all hold. */
export function failingClause(
  clauses: readonly ConditionClause[],
  vars: ContextValues,
  version: PolicyVersion,
): ConditionClause | undefined {
  return clauses.find((c) => !evaluateClause(c, vars, version));
}
