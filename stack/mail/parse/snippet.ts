// Mailpit's list snippet (internal/tools/snippets.go): the HTML body's text when there is an
// HTML body (even when that text is empty), else the text body on one line; at most 200 bytes
// of UTF-8, cut on a character boundary, then "...".
import { stripHtml } from './html-text.ts';

const LIMIT_BYTES = 200;

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** The longest prefix of `s` that is at most `limit` bytes of UTF-8 and ends on a character. */
export function truncateUtf8(s: string, limit: number): string {
  // Every UTF-16 unit is at least one byte, so the cut lies within the first `limit` units.
  let bytes = 0;
  let end = 0;
  for (const ch of s.slice(0, limit)) {
    bytes += utf8Length(ch.codePointAt(0)!);
    if (bytes > limit) break;
    end += ch.length;
  }
  return s.slice(0, end);
}

function limited(s: string): string {
  return Buffer.byteLength(s) <= LIMIT_BYTES ? s : `${truncateUtf8(s, LIMIT_BYTES)}...`;
}

/** Mailpit's text snippet: U+FEFF and whitespace runs one space, trimmed. */
function oneLine(text: string): string {
  // Single spaces between words are not matched: a global replace allocates per match.
  return text.replace(/[\uFEFF\t\n\f\r][\uFEFF\t\n\f\r ]*| [\uFEFF\t\n\f\r ]+/g, ' ').trim();
}

/**
 * The text body on one line, but only as much of it as the snippet can show: a long body is
 * read in growing prefixes until one holds more than the limit. The last character of a prefix
 * may be the start of a longer whitespace run, so one byte more than the limit is asked for.
 */
function textSnippet(text: string): string {
  for (let take = 512; ; take *= 4) {
    if (take >= text.length) return limited(oneLine(text));
    const line = oneLine(text.slice(0, take));
    if (Buffer.byteLength(line) > LIMIT_BYTES + 1) return `${truncateUtf8(line, LIMIT_BYTES)}...`;
  }
}

/** `stripped` is stripHtml(html).text when the caller already has it. */
export function createSnippet(text: string, html: string, stripped?: string): string {
  if (html.trim()) return limited(stripped ?? stripHtml(html).text);
  return textSnippet(text);
}
