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

/** `stripped` is stripHtml(html).text when the caller already has it. */
export function createSnippet(text: string, html: string, stripped?: string): string {
  if (html.trim()) return limited(stripped ?? stripHtml(html).text);
  const t = text
    .replace(/\uFEFF/g, ' ')
    .replace(/[\t\n\f\r ]+/g, ' ')
    .trim();
  return t ? limited(t) : '';
}
