// Mailpit's search language (internal/storage/search.go) as a predicate over our summaries:
// space-separated terms, all of which must match; "quoted phrases" are one term; a leading
// `-` or `!` negates a term; keywords to: from: cc: bcc: reply-to: addressed: subject:
// message-id: tag: is:read is:unread is:tagged has:attachment has:inline before: after:
// larger: smaller:, anything else is free text. Matching is case-insensitive substring, as
// Mailpit's SQL LIKE is. Ours adds scope:<name>.
import type { MailAddress, MessageSummary } from '../store/types.ts';

export type Predicate = (m: MessageSummary) => boolean;

/** Splits on whitespace outside double quotes and drops the quotes, like Mailpit's ArgsParser. */
export function splitTerms(query: string): string[] {
  const terms: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of query) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && /\s/.test(ch)) {
      if (current) terms.push(current);
      current = '';
    } else current += ch;
  }
  if (current) terms.push(current);
  return terms;
}

/**
 * Mailpit's cleanString: U+FEFF, newlines, tabs and < > " , ; ( ) become spaces, whitespace runs
 * (Go's unicode.IsSpace, so U+0085 too) one space, trimmed, lower case.
 */
export function cleanString(s: string): string {
  // Only runs that change are matched (not each single space between words): a global replace
  // allocates per match, and this runs on every stored message's search text.
  return s
    .replace(/(?:[^\S ]|[\u0085<>",;()])[\s\u0085<>",;()]*| [\s\u0085<>",;()]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** 2kb, 4MB, 1.5m → bytes; 0 when not a size. */
export function sizeToBytes(v: string): number {
  const m = /^(\d+)(\.\d+)?\s?([a-z]{1,2})?$/.exec(v.toLowerCase());
  if (!m) return 0;
  const n = Number(`${m[1]}${m[2] ?? ''}`);
  const unit = m[3] ?? '';
  if (unit === '') return Math.trunc(n);
  if (unit === 'k' || unit === 'kb') return Math.trunc(n * 1024);
  if (unit === 'm' || unit === 'mb') return Math.trunc(n * 1024 * 1024);
  return 0;
}

/** Dates without a zone are local time, as Mailpit's dateparse.ParseLocal reads them. */
export function parseLocalDate(v: string): number | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (d) return new Date(Number(d[1]), Number(d[2]) - 1, Number(d[3])).getTime();
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

const addr = (list: MailAddress[]) => list.map((a) => `${a.name} ${a.address}`.toLowerCase()).join('\n');
const has = (hay: string, needle: string) => hay.toLowerCase().includes(needle);

function termPredicate(term: string): Predicate | undefined {
  const lw = term.toLowerCase();
  const after = (prefix: string) => cleanString(term.slice(prefix.length));
  const field = (prefix: string, pick: (m: MessageSummary) => string): Predicate | undefined => {
    const w = after(prefix);
    return w ? (m) => pick(m).includes(w) : undefined;
  };
  if (lw.startsWith('to:')) return field('to:', (m) => addr(m.to));
  if (lw.startsWith('from:')) return field('from:', (m) => addr(m.from ? [m.from] : []));
  if (lw.startsWith('cc:')) return field('cc:', (m) => addr(m.cc));
  if (lw.startsWith('bcc:')) return field('bcc:', (m) => addr(m.bcc));
  if (lw.startsWith('reply-to:')) return field('reply-to:', (m) => addr(m.replyTo));
  if (lw.startsWith('addressed:')) {
    return field('addressed:', (m) =>
      addr([...(m.from ? [m.from] : []), ...m.to, ...m.cc, ...m.bcc, ...m.replyTo]),
    );
  }
  if (lw.startsWith('subject:')) {
    const w = term.slice(8).toLowerCase();
    return w ? (m) => has(m.subject, w) : undefined;
  }
  if (lw.startsWith('message-id:')) return field('message-id:', (m) => m.messageId.toLowerCase());
  if (lw.startsWith('tag:')) {
    const w = after('tag:');
    return w ? (m) => m.tags.some((t) => t.toLowerCase() === w) : undefined;
  }
  if (lw.startsWith('scope:')) {
    const w = term.slice(6);
    return w ? (m) => m.scopes.includes(w) : undefined;
  }
  if (lw === 'is:read') return (m) => m.read;
  if (lw === 'is:unread') return (m) => !m.read;
  if (lw === 'is:tagged') return (m) => m.tags.length > 0;
  if (lw === 'has:attachment' || lw === 'has:attachments') return (m) => m.attachments.some((a) => !a.inline);
  if (lw === 'has:inline' || lw === 'has:inlines') return (m) => m.attachments.some((a) => a.inline);
  if (lw.startsWith('after:') || lw.startsWith('before:')) {
    const isAfter = lw.startsWith('after:');
    const t = parseLocalDate(after(isAfter ? 'after:' : 'before:'));
    if (t === undefined) return undefined;
    return isAfter ? (m) => Date.parse(m.created) >= t : (m) => Date.parse(m.created) <= t;
  }
  if (lw.startsWith('larger:') && sizeToBytes(after('larger:')) > 0) {
    const size = sizeToBytes(after('larger:'));
    return (m) => m.size > size;
  }
  if (lw.startsWith('smaller:') && sizeToBytes(after('smaller:')) > 0) {
    const size = sizeToBytes(after('smaller:'));
    return (m) => m.size < size;
  }
  const w = cleanString(term);
  return w ? (m) => m.searchText.includes(w) : undefined;
}

/**
 * An empty query matches everything. Terms Mailpit ignores (nothing left after cleanString, bad
 * dates or sizes) are ignored; any other term, even punctuation alone ("...", "©"), is searched.
 */
export function compileQuery(query: string): Predicate {
  const predicates: Predicate[] = [];
  for (let term of splitTerms(query)) {
    if (!cleanString(term)) continue;
    let exclude = false;
    if (term.length > 1 && (term[0] === '-' || term[0] === '!')) {
      exclude = true;
      term = term.slice(1);
    }
    const p = termPredicate(term);
    if (!p) continue;
    // Mailpit's larger:/smaller:/after:/before: negations are the opposite comparison, which
    // for our exact-valued predicates is the same as negating them.
    predicates.push(exclude ? (m) => !p(m) : p);
  }
  return (m) => predicates.every((p) => p(m));
}
