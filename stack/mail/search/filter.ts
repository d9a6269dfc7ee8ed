import type { MessageSummary } from '../store/types.ts';
import { compileQuery, type Predicate } from './query.ts';

/** A string matches as a case-insensitive substring; a RegExp is tested as is. */
export type TextMatch = string | RegExp;

export interface MessageFilter {
  /** Any To/Cc/Bcc (including envelope-only) recipient address or name. */
  to?: TextMatch;
  from?: TextMatch;
  subject?: TextMatch;
  /** Only messages in this isolation scope (SMTP user, plus-address tag or X-Test-Scope). */
  scope?: string;
  /** A Mailpit search query, e.g. `subject:"Welcome" has:attachment`. */
  query?: string;
  /** Only messages with a sequence number greater than this. */
  afterSeq?: number;
}

function matcher(m: TextMatch): (s: string) => boolean {
  if (typeof m === 'string') {
    const needle = m.toLowerCase();
    return (s) => s.toLowerCase().includes(needle);
  }
  return (s) => {
    m.lastIndex = 0;
    return m.test(s);
  };
}

export function compileFilter(filter: MessageFilter = {}): Predicate {
  const checks: Predicate[] = [];
  if (filter.afterSeq !== undefined) {
    const after = filter.afterSeq;
    checks.push((m) => m.seq > after);
  }
  if (filter.scope !== undefined) {
    const scope = filter.scope;
    checks.push((m) => m.scopes.includes(scope));
  }
  if (filter.to !== undefined) {
    const t = matcher(filter.to);
    checks.push((m) =>
      [...m.to, ...m.cc, ...m.bcc].some((a) => t(a.address) || (a.name !== '' && t(a.name))),
    );
  }
  if (filter.from !== undefined) {
    const t = matcher(filter.from);
    checks.push((m) => m.from !== null && (t(m.from.address) || (m.from.name !== '' && t(m.from.name))));
  }
  if (filter.subject !== undefined) {
    const t = matcher(filter.subject);
    checks.push((m) => t(m.subject));
  }
  if (filter.query) checks.push(compileQuery(filter.query));
  return (m: MessageSummary) => checks.every((c) => c(m));
}
