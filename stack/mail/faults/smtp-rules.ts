// SMTP fault rules: which commands they match (stage, listener, sender, recipient, scope) and
// what the server does instead of its normal reply (an exact reply, a delay, silence, a dropped
// connection, a failed TLS handshake).
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

/**
 * Where in the session a rule acts. `connect` replaces the greeting (on the implicit-TLS listener
 * a `tls-failure` acts on the handshake before it); `AUTH` answers once the credentials are in;
 * `DATA` answers the end of the message (the final reply, where real servers refuse content).
 */
export type SmtpStage = 'connect' | 'EHLO' | 'STARTTLS' | 'AUTH' | 'MAIL' | 'RCPT' | 'DATA';
export const SMTP_STAGES: readonly SmtpStage[] = [
  'connect',
  'EHLO',
  'STARTTLS',
  'AUTH',
  'MAIL',
  'RCPT',
  'DATA',
];

export type SmtpListenerName = 'submission' | 'implicit-tls';

export interface SmtpFaultMatch {
  stage: SmtpStage;
  /** @default both listeners */
  listener?: SmtpListenerName;
  /** MAIL FROM address glob, case-insensitive (MAIL, RCPT, DATA). @default any */
  sender?: string;
  /** RCPT TO address glob: at RCPT the address given, at DATA any envelope recipient. @default any */
  recipient?: string;
  /** The AUTH user (the message's scope) glob; at AUTH the user trying. @default any */
  scope?: string;
}

export type TlsFailureMode = 'alert' | 'untrusted-cert' | 'reset';

export type SmtpFaultAction =
  /** Reply with exactly this code, enhanced code and text (a 421 also closes the connection). */
  | {
      type: 'error';
      /** 400-599, e.g. 421, 451, 535, 550, 552. */
      code: number;
      /** e.g. `4.7.0`; null for none. @default the usual one for the code (see DEFAULT_REPLIES) */
      enhancedCode?: string | null;
      /** One string, or one per line of a multi-line reply. @default the usual text for the code */
      message?: string | string[];
    }
  | { type: 'delay'; ms: number }
  /** Never answer (at connect: no greeting — the client's greeting timeout fires). */
  | { type: 'no-response' }
  /** Destroy the connection. */
  | { type: 'drop' }
  /**
   * The TLS handshake fails (STARTTLS is answered 220 first; on the implicit-TLS listener it is
   * the connection's own handshake): `alert` sends a fatal handshake_failure alert, `untrusted-cert`
   * presents a certificate from a CA nobody trusts, `reset` destroys the socket mid-handshake.
   */
  | { type: 'tls-failure'; mode?: TlsFailureMode };

export interface SmtpFaultRule extends FaultSchedule {
  /** @default `smtp-<n>` */
  id?: string;
  target?: 'smtp';
  match: SmtpFaultMatch;
  action: SmtpFaultAction;
  description?: string;
}

/** What the server knows when it asks the rules. */
export interface SmtpFaultEvent {
  stage: SmtpStage;
  listener: SmtpListenerName;
  sender?: string;
  /** RCPT: the address given; DATA: every envelope recipient. */
  recipients?: string[];
  scope?: string;
}

/** The usual reply for a code when a rule gives only the code. */
export const DEFAULT_REPLIES: Record<number, [string, string]> = {
  421: ['4.7.0', 'Temporary System Problem. Try again later.'],
  450: ['4.2.1', 'The user you are trying to contact is receiving mail too quickly. Try again later.'],
  451: ['4.3.0', 'Mail server temporarily rejected message.'],
  452: ['4.5.3', 'Insufficient system resources. Try again later.'],
  454: ['4.7.0', 'Temporary authentication failure. Try again later.'],
  530: ['5.7.0', 'Authentication Required.'],
  535: ['5.7.8', 'Username and Password not accepted.'],
  550: ['5.1.1', 'The email account that you tried to reach does not exist.'],
  552: ['5.3.4', 'Message size exceeds fixed limit.'],
  553: ['5.1.3', 'The recipient address is not a valid RFC 5321 address.'],
  554: ['5.7.0', 'Message rejected.'],
};

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3}$/;

/** The reply lines a rule's error action writes, enhanced code included. */
export function replyLines(action: Extract<SmtpFaultAction, { type: 'error' }>): string[] {
  const [defaultEnhanced, defaultText] = DEFAULT_REPLIES[action.code] ?? [
    `${String(action.code)[0]}.0.0`,
    action.code < 500 ? 'Temporary failure, try again later.' : 'Permanent failure.',
  ];
  const enhanced = action.enhancedCode === undefined ? defaultEnhanced : action.enhancedCode;
  const message = action.message ?? defaultText;
  const lines = Array.isArray(message) ? message : [message];
  return lines.map((l) => (enhanced ? `${enhanced} ${l}` : l));
}

function stageOf(value: unknown): SmtpStage {
  const s = typeof value === 'string' ? value : '';
  const upper = s.toUpperCase();
  if (upper === 'CONNECT') return 'connect';
  if (upper === 'HELO') return 'EHLO';
  if ((SMTP_STAGES as readonly string[]).includes(upper)) return upper as SmtpStage;
  throw invalid(`match.stage must be one of ${SMTP_STAGES.join(', ')}, got ${JSON.stringify(value)}`);
}

/** Which stages know each match field: a rule that could never match is refused. */
const KNOWN_AT: Record<'sender' | 'recipient' | 'scope', SmtpStage[]> = {
  sender: ['MAIL', 'RCPT', 'DATA'],
  recipient: ['RCPT', 'DATA'],
  scope: ['EHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA'],
};

function parseMatch(raw: unknown): SmtpFaultMatch {
  const m = record(raw, 'match');
  onlyKeys(m, ['stage', 'listener', 'sender', 'recipient', 'scope'], 'match');
  const match: SmtpFaultMatch = { stage: stageOf(m.stage) };
  if (m.listener !== undefined) {
    if (m.listener !== 'submission' && m.listener !== 'implicit-tls')
      throw invalid(`match.listener must be submission or implicit-tls, got ${JSON.stringify(m.listener)}`);
    match.listener = m.listener;
  }
  for (const k of ['sender', 'recipient', 'scope'] as const) {
    const v = optionalString(m[k], `match.${k}`);
    if (v === undefined) continue;
    if (!KNOWN_AT[k].includes(match.stage))
      throw invalid(`match.${k} is not known at stage ${match.stage} (only at ${KNOWN_AT[k].join(', ')})`);
    match[k] = v;
  }
  return match;
}

function parseAction(raw: unknown, match: SmtpFaultMatch): SmtpFaultAction {
  const a = record(raw, 'action');
  switch (a.type) {
    case 'error': {
      onlyKeys(a, ['type', 'code', 'enhancedCode', 'message'], 'action');
      if (typeof a.code !== 'number' || !Number.isInteger(a.code) || a.code < 400 || a.code > 599)
        throw invalid(`action.code must be an SMTP failure code 400-599, got ${JSON.stringify(a.code)}`);
      const action: SmtpFaultAction = { type: 'error', code: a.code };
      if (a.enhancedCode !== undefined) {
        if (a.enhancedCode !== null && (typeof a.enhancedCode !== 'string' || !ENHANCED.test(a.enhancedCode)))
          throw invalid(
            `action.enhancedCode must look like 4.7.0 (or be null), got ${JSON.stringify(a.enhancedCode)}`,
          );
        if (typeof a.enhancedCode === 'string' && a.enhancedCode[0] !== String(a.code)[0])
          throw invalid(`action.enhancedCode ${a.enhancedCode} does not agree with code ${a.code}`);
        action.enhancedCode = a.enhancedCode;
      }
      if (a.message !== undefined) {
        const lines = Array.isArray(a.message) ? a.message : [a.message];
        if (lines.length === 0 || lines.some((l) => typeof l !== 'string' || /[\r\n]/.test(l)))
          throw invalid('action.message must be a string or an array of lines without line breaks');
        action.message = Array.isArray(a.message) ? [...(a.message as string[])] : (a.message as string);
      }
      return action;
    }
    case 'delay':
      onlyKeys(a, ['type', 'ms'], 'action');
      return { type: 'delay', ms: positiveNumber(a.ms, 'action.ms') };
    case 'no-response':
    case 'drop':
      onlyKeys(a, ['type'], 'action');
      return { type: a.type };
    case 'tls-failure': {
      onlyKeys(a, ['type', 'mode'], 'action');
      const mode = a.mode ?? 'alert';
      if (mode !== 'alert' && mode !== 'untrusted-cert' && mode !== 'reset')
        throw invalid(`action.mode must be alert, untrusted-cert or reset, got ${JSON.stringify(a.mode)}`);
      const onHandshake =
        match.stage === 'STARTTLS' || (match.stage === 'connect' && match.listener !== 'submission');
      if (!onHandshake)
        throw invalid(
          'a tls-failure acts on a handshake: stage STARTTLS, or connect on the implicit-tls listener',
        );
      return { type: 'tls-failure', mode };
    }
    default:
      throw invalid(
        `action.type must be error, delay, no-response, drop or tls-failure, got ${JSON.stringify(a.type)}`,
      );
  }
}

export function parseSmtpRule(raw: unknown): SmtpFaultRule {
  const r = record(raw, 'fault rule');
  onlyKeys(r, RULE_KEYS, 'fault rule');
  if (r.target !== undefined && r.target !== 'smtp')
    throw invalid(`target '${String(r.target)}' is not smtp`);
  if (r.match === undefined) throw invalid('match.stage is required for an SMTP rule');
  const match = parseMatch(r.match);
  // A tls-failure at connect can only happen on the implicit-TLS listener.
  if (match.stage === 'connect' && (r.action as { type?: unknown })?.type === 'tls-failure')
    match.listener ??= 'implicit-tls';
  const rule: SmtpFaultRule = {
    ...parseSchedule(r),
    target: 'smtp',
    match,
    action: parseAction(r.action, match),
  };
  return Object.assign(rule, ruleLabels(r));
}

export function smtpRuleMatches(rule: SmtpFaultRule, e: SmtpFaultEvent): boolean {
  const m = rule.match;
  if (m.stage !== e.stage) return false;
  if (m.listener !== undefined && m.listener !== e.listener) return false;
  if (!globMatches(m.sender, e.sender, true) || !globMatches(m.scope, e.scope)) return false;
  if (m.recipient !== undefined && !(e.recipients ?? []).some((r) => globMatches(m.recipient, r, true)))
    return false;
  return true;
}
