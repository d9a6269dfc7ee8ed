// The POST policy document: base64 JSON with `expiration` and `conditions`, refused with
// InvalidPolicyDocument and S3's "Invalid Policy: ..." wording when it is not well formed.
import { invalidPolicy } from './post-errors.ts';

export interface MatchCondition {
  kind: 'match';
  /** Lower-cased: `eq` or `starts-with`. */
  op: 'eq' | 'starts-with';
  /** As written, normally with its `$` (a condition without one never holds). */
  field: string;
  value: string;
  /** The condition as S3 prints it in "Policy Condition failed: ...". */
  display: string;
}

export interface RangeCondition {
  kind: 'range';
  min: number | string;
  max: number | string;
  display: string;
}

export type PolicyCondition = MatchCondition | RangeCondition;

export interface PostPolicy {
  expiration: number;
  conditions: PolicyCondition[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const EXPIRATION = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

/** `["eq", "$key", "a"]`: JSON strings joined by ", ", the spelling of the policy kept. */
export function displayCondition(items: unknown[]): string {
  return `[${items.map((x) => JSON.stringify(x)).join(', ')}]`;
}

export function parsePolicy(base64: string): PostPolicy {
  if (base64.length % 4 !== 0 || !BASE64.test(base64)) throw invalidPolicy('invalid Base64 encoding.');
  const text = Buffer.from(base64, 'base64').toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  // S3's parser knows only unsigned integers: 512.0 or -1 is "Invalid JSON." there.
  if (hasNonIntegerNumber(text) || doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw invalidPolicy('Invalid JSON.');
  }
  const members = doc as Record<string, unknown>;
  for (const name of Object.keys(members)) {
    if (name !== 'expiration' && name !== 'conditions') {
      throw invalidPolicy(`Unexpected: '${name.toLowerCase()}'`);
    }
  }
  if (!('expiration' in members)) throw invalidPolicy('Policy missing expiration.');
  const expiration = parseExpiration(members.expiration);
  if (!('conditions' in members)) throw invalidPolicy('Policy missing conditions.');
  if (!Array.isArray(members.conditions)) throw invalidPolicy("Invalid 'conditions' value: must be a List.");
  return { expiration, conditions: members.conditions.map(parseCondition) };
}

function parseExpiration(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const m = typeof value === 'string' ? EXPIRATION.exec(value) : null;
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
    const ms = Date.UTC(y, mo - 1, d, h, mi, s) + (m[7] ? Math.floor(Number(m[7]) * 1000) : 0);
    const back = new Date(ms);
    if (back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60) return ms;
  }
  throw invalidPolicy(`Invalid 'expiration' value: '${text}'`);
}

function parseCondition(c: unknown): PolicyCondition {
  if (c !== null && typeof c === 'object' && !Array.isArray(c)) {
    const entries = Object.entries(c as Record<string, unknown>);
    if (entries.length !== 1) {
      throw invalidPolicy(
        'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
      );
    }
    const [name, value] = entries[0];
    if (value === null) throw invalidPolicy('Invalid JSON.');
    if (typeof value !== 'string') throw invalidPolicy('Invalid Simple-Condition: value must be a string.');
    const field = `$${name}`;
    return { kind: 'match', op: 'eq', field, value, display: displayCondition(['eq', field, value]) };
  }
  if (!Array.isArray(c)) throw invalidPolicy('Invalid condition test: must be a List or Object.');
  if (c.length === 0 || typeof c[0] !== 'string') {
    throw invalidPolicy('Invalid Condition: missing operation identifier.');
  }
  const op = c[0].toLowerCase();
  if (op === 'eq' || op === 'starts-with') {
    if (c.length !== 3) throw invalidPolicy(`Invalid ${c[0]}: wrong number of arguments.`);
    if (typeof c[1] !== 'string' || typeof c[2] !== 'string') throw invalidPolicy('Invalid JSON.');
    return { kind: 'match', op, field: c[1], value: c[2], display: displayCondition(c) };
  }
  if (op === 'content-length-range') {
    if (c.length !== 3) throw invalidPolicy(`Invalid ${c[0]}: wrong number of arguments.`);
    const bound = (v: unknown) => {
      if (typeof v === 'number' || typeof v === 'string') return v;
      throw invalidPolicy('Invalid JSON.');
    };
    return { kind: 'range', min: bound(c[1]), max: bound(c[2]), display: displayCondition(c) };
  }
  throw invalidPolicy(`Invalid Condition: unknown operation '${c[0]}'.`);
}

/** Whether JSON text holds a number other than an unsigned integer (outside strings). */
function hasNonIntegerNumber(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      const token = m ? m[0] : ch;
      if (!/^\d+$/.test(token)) return true;
      i += token.length;
    } else {
      i++;
    }
  }
  return false;
}
