// The compact one-line rule syntax of `dev:stack --fault` and the console:
//
//   TARGET:MATCH=ACTION[:NAME=VALUE...]
//
//   s3:PutObject=503:SlowDown:first=2        SlowDown on the first two PutObject requests
//   s3:GetObject,HeadObject=500:every=2      InternalError on every 2nd GetObject/HeadObject
//   s3:*=delay:1500:principal=anonymous      anonymous requests wait 1.5 s
//   s3:GetObject=hang:key=uploads/*          never answered
//   s3:*=drop:p=0.1:seed=7                   10% of requests dropped, reproducibly
//   smtp:DATA=421:4.7.0:Try again later:first=1
//   smtp:RCPT=550:5.1.1:to=ghost@*
//   smtp:connect=hang                        no greeting (connection timeout)
//   smtp:STARTTLS=tls:alert                  handshake aborted (alert | untrusted-cert | reset)
//   smtp:connect=tls:untrusted-cert          implicit-TLS listener with an untrusted certificate
//   smtp:AUTH=535:5.7.8:ttl=30s
//
// ACTION: an error (s3: STATUS[:Code] or Code; smtp: CODE[:X.Y.Z|-][:text], `-` for no
// enhanced code), `delay:MS`, `hang` (no response), `drop`, and for smtp `tls[:MODE]`.
// Options: first=N every=N p=0-1 seed=N ttl=MS|Ns|Nm max=N id=NAME; s3 match bucket= key=
// principal=; smtp match from= to= scope= listener=. Values cannot contain ':' (use a JSON file).

import type { SmtpFaultRule } from '../mail/faults/smtp-rules.ts';
import type { S3FaultRule } from '../s3/faults/s3-rules.ts';
import { invalid } from './errors.ts';

export type CompactRule = (S3FaultRule & { target: 's3' }) | (SmtpFaultRule & { target: 'smtp' });

const S3_MATCH = ['bucket', 'key', 'principal'] as const;
const SMTP_MATCH: Record<string, 'sender' | 'recipient' | 'scope' | 'listener'> = {
  from: 'sender',
  sender: 'sender',
  to: 'recipient',
  recipient: 'recipient',
  scope: 'scope',
  listener: 'listener',
};
const SCHEDULE = ['first', 'every', 'p', 'probability', 'seed', 'ttl', 'max', 'id'];
const S3_DEFAULT_CODES: Record<string, string> = { '500': 'InternalError', '503': 'SlowDown' };

function number(value: string, name: string, text: string): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) throw invalid(`${text}: ${name}=${value} is not a number`);
  return n;
}

function duration(value: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (!m) throw invalid(`${text}: ttl=${value} is not a duration (e.g. 5000, 5s, 2m)`);
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n;
}

function isOption(token: string, target: 's3' | 'smtp'): boolean {
  const eq = token.indexOf('=');
  if (eq <= 0) return false;
  const name = token.slice(0, eq);
  return (
    SCHEDULE.includes(name) ||
    (target === 's3' ? (S3_MATCH as readonly string[]).includes(name) : name in SMTP_MATCH)
  );
}

function s3Action(tokens: string[], text: string): S3FaultRule['action'] {
  const [head = '', ...rest] = tokens;
  if (head === 'delay') return { type: 'delay', ms: number(rest[0] ?? '', 'delay', text) };
  if (head === 'hang' || head === 'no-response') return { type: 'no-response' };
  if (head === 'drop') return { type: 'drop' };
  if (/^\d{3}$/.test(head)) {
    const code = rest[0] ?? S3_DEFAULT_CODES[head];
    if (!code) throw invalid(`${text}: status ${head} needs an S3 error code (e.g. ${head}:SlowDown)`);
    return { type: 'error', code, status: Number(head) };
  }
  if (/^[A-Za-z]+$/.test(head) && rest.length === 0) return { type: 'error', code: head };
  throw invalid(
    `${text}: '${tokens.join(':')}' is not an S3 action (STATUS[:Code], Code, delay:MS, hang, drop)`,
  );
}

function smtpAction(tokens: string[], text: string): SmtpFaultRule['action'] {
  const [head = '', ...rest] = tokens;
  if (head === 'delay') return { type: 'delay', ms: number(rest[0] ?? '', 'delay', text) };
  if (head === 'hang' || head === 'no-response') return { type: 'no-response' };
  if (head === 'drop') return { type: 'drop' };
  if (head === 'tls' || head === 'tls-failure')
    return { type: 'tls-failure', mode: (rest[0] ?? 'alert') as 'alert' | 'untrusted-cert' | 'reset' };
  if (/^\d{3}$/.test(head)) {
    const action: SmtpFaultRule['action'] = { type: 'error', code: Number(head) };
    let i = 0;
    if (rest[0] === '-') {
      action.enhancedCode = null;
      i = 1;
    } else if (rest[0] !== undefined && /^\d\.\d{1,3}\.\d{1,3}$/.test(rest[0])) {
      action.enhancedCode = rest[0];
      i = 1;
    }
    if (rest.length > i) action.message = rest.slice(i).join(':');
    return action;
  }
  throw invalid(
    `${text}: '${tokens.join(':')}' is not an SMTP action (CODE[:X.Y.Z][:text], delay:MS, hang, drop, tls[:MODE])`,
  );
}

/** Parses one compact rule. The result is then validated by the server it goes to. */
export function parseCompactRule(text: string): CompactRule {
  const trimmed = text.trim();
  const eq = trimmed.indexOf('=');
  const colon = trimmed.indexOf(':');
  if (colon < 0 || eq < colon)
    throw invalid(`'${text}': expected TARGET:MATCH=ACTION, e.g. s3:PutObject=503:SlowDown:first=2`);
  const target = trimmed.slice(0, colon);
  if (target !== 's3' && target !== 'smtp')
    throw invalid(`'${text}': target must be s3 or smtp, got '${target}'`);
  const match = trimmed.slice(colon + 1, eq);
  const tokens = trimmed.slice(eq + 1).split(':');
  const firstOption = tokens.findIndex((t) => isOption(t, target));
  const actionTokens = firstOption < 0 ? tokens : tokens.slice(0, firstOption);
  const options = firstOption < 0 ? [] : tokens.slice(firstOption);

  const rule: Record<string, unknown> = { target };
  const m: Record<string, unknown> = {};
  if (target === 's3') {
    if (match !== '*' && match !== '') m.operation = match.includes(',') ? match.split(',') : match;
    rule.action = s3Action(actionTokens, text);
  } else {
    m.stage = match;
    rule.action = smtpAction(actionTokens, text);
  }
  for (const option of options) {
    const at = option.indexOf('=');
    if (at <= 0)
      throw invalid(`'${text}': '${option}' is not NAME=VALUE (a ':' inside a value? use a JSON file)`);
    const name = option.slice(0, at);
    const value = option.slice(at + 1);
    if (name === 'first' || name === 'every' || name === 'seed') rule[name] = number(value, name, text);
    else if (name === 'p' || name === 'probability') rule.probability = number(value, name, text);
    else if (name === 'max') rule.maxCount = number(value, name, text);
    else if (name === 'ttl') rule.ttlMs = duration(value, text);
    else if (name === 'id') rule.id = value;
    else if (target === 's3' && (S3_MATCH as readonly string[]).includes(name)) m[name] = value;
    else if (target === 'smtp' && name in SMTP_MATCH) m[SMTP_MATCH[name] as string] = value;
    else throw invalid(`'${text}': unknown option '${name}'`);
  }
  if (Object.keys(m).length > 0) rule.match = m;
  return rule as unknown as CompactRule;
}
