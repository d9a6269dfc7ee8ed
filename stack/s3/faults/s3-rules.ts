// S3 fault rules: which requests they match (operation as named in routes.ts, bucket, key
// glob, principal) and what happens to them (an S3 error, a delay, no answer, a dropped
// connection).
import { invalid } from '../../faults/errors.ts';
import { globMatches } from '../../faults/glob.ts';
import { type FaultSchedule, parseSchedule } from '../../faults/schedule.ts';
import {
  onlyKeys,
  optionalString,
  positiveNumber,
  RULE_KEYS,
  record,
  ruleLabels,
} from '../../faults/validate.ts';
import { S3_ERRORS } from '../errors.ts';
import { ROUTES } from '../routes.ts';

export interface S3FaultMatch {
  /** AWS operation name(s) as the routing table names them (`PutObject`, `GetObject`...). @default any */
  operation?: string | string[];
  /** Bucket name glob. @default any (service-level requests have no bucket) */
  bucket?: string;
  /** Object key glob: `*` spans slashes. @default any (bucket-level requests have no key) */
  key?: string;
  /** Identity name (`focusmate-s3-user`, `root`) or `anonymous`. @default any */
  principal?: string;
}

export type S3FaultAction =
  /** Answer with this S3 error document (the usual XML with request ids). */
  | {
      type: 'error';
      /** S3 error code, e.g. `SlowDown`, `InternalError`, `ServiceUnavailable`. */
      code: string;
      /** @default the code's status in the error table (SlowDown 503, InternalError 500) */
      status?: number;
      /** @default the code's AWS message */
      message?: string;
    }
  /** Hold the request this long, then serve it normally. */
  | { type: 'delay'; ms: number }
  /** Accept the request and never answer it (the client's timeout is what ends it). */
  | { type: 'no-response' }
  /** Destroy the connection without an answer. */
  | { type: 'drop' };

export interface S3FaultRule extends FaultSchedule {
  /** @default `s3-<n>` */
  id?: string;
  target?: 's3';
  /** @default every request */
  match?: S3FaultMatch;
  action: S3FaultAction;
  /** Free text shown when rules are listed. */
  description?: string;
}

/** What the handler knows about a request when it asks the rules. */
export interface S3FaultEvent {
  operation: string;
  bucket?: string;
  key?: string;
  /** Identity name, or null for anonymous. */
  principal: string | null;
}

const OPERATIONS = new Set(ROUTES.map((r) => r.operation));

function parseMatch(raw: unknown): S3FaultMatch {
  if (raw === undefined) return {};
  const m = record(raw, 'match');
  onlyKeys(m, ['operation', 'bucket', 'key', 'principal'], 'match');
  const out: S3FaultMatch = {};
  if (m.operation !== undefined) {
    const ops = Array.isArray(m.operation) ? m.operation : [m.operation];
    for (const op of ops) {
      if (typeof op !== 'string' || !OPERATIONS.has(op))
        throw invalid(
          `match.operation: '${String(op)}' is not an operation of this server (e.g. PutObject, GetObject)`,
        );
    }
    out.operation = Array.isArray(m.operation) ? [...(ops as string[])] : (m.operation as string);
  }
  for (const k of ['bucket', 'key', 'principal'] as const) {
    const v = optionalString(m[k], `match.${k}`);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function parseAction(raw: unknown): S3FaultAction {
  const a = record(raw, 'action');
  switch (a.type) {
    case 'error': {
      onlyKeys(a, ['type', 'code', 'status', 'message'], 'action');
      const code = optionalString(a.code, 'action.code');
      if (code === undefined) throw invalid('action.code is required (e.g. SlowDown, InternalError)');
      const known = Object.hasOwn(S3_ERRORS, code);
      if (
        a.status !== undefined &&
        (typeof a.status !== 'number' || !Number.isInteger(a.status) || a.status < 300 || a.status > 599)
      )
        throw invalid(
          `action.status must be an HTTP error status (300-599), got ${JSON.stringify(a.status)}`,
        );
      if (!known && a.status === undefined)
        throw invalid(`action.code '${code}' is not in the server's error table: give its status too`);
      const message = optionalString(a.message, 'action.message');
      return {
        type: 'error',
        code,
        ...(a.status !== undefined ? { status: a.status as number } : {}),
        ...(message !== undefined ? { message } : {}),
      };
    }
    case 'delay':
      onlyKeys(a, ['type', 'ms'], 'action');
      return { type: 'delay', ms: positiveNumber(a.ms, 'action.ms') };
    case 'no-response':
    case 'drop':
      onlyKeys(a, ['type'], 'action');
      return { type: a.type };
    default:
      throw invalid(`action.type must be error, delay, no-response or drop, got ${JSON.stringify(a.type)}`);
  }
}

export function parseS3Rule(raw: unknown): S3FaultRule {
  const r = record(raw, 'fault rule');
  onlyKeys(r, RULE_KEYS, 'fault rule');
  if (r.target !== undefined && r.target !== 's3') throw invalid(`target '${String(r.target)}' is not s3`);
  const rule: S3FaultRule = {
    ...parseSchedule(r),
    target: 's3',
    match: parseMatch(r.match),
    action: parseAction(r.action),
  };
  return Object.assign(rule, ruleLabels(r));
}

export function s3RuleMatches(rule: S3FaultRule, e: S3FaultEvent): boolean {
  const m = rule.match ?? {};
  if (m.operation !== undefined) {
    const ops = Array.isArray(m.operation) ? m.operation : [m.operation];
    if (!ops.includes(e.operation)) return false;
  }
  if (m.principal !== undefined && m.principal !== (e.principal ?? 'anonymous')) return false;
  return globMatches(m.bucket, e.bucket) && globMatches(m.key, e.key);
}
