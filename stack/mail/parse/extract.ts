// Links and one-time codes a test wants out of a verification or invitation mail.
import type { ParsedMail } from 'mailparser';
import { decodeEntities } from './html-entities.ts';
import { collapseWhitespace, htmlToText } from './html-text.ts';

export interface ExtractedLink {
  url: string;
  /** Anchor text for HTML links, '' for links found in plain text. */
  text: string;
  source: 'html' | 'text';
}

export interface ExtractedCode {
  code: string;
  /** The words around the code, for a readable assertion message. */
  context: string;
  source: 'html' | 'text' | 'otp-header';
}

export interface Extraction {
  links: ExtractedLink[];
  codes: ExtractedCode[];
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const ANCHOR = /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi;
/** Words that, within a short distance, make a 4–8 digit number a one-time code. */
const CODE_WORDS =
  /(code|otp|passcode|pin\b|one[- ]time|verification|verify|confirm|token|인증|코드|번호|확인|비밀번호|認証|验证码)/i;
// Not inside words, phone numbers, dates, versions or amounts ("2026년", "10,000원", "3.5").
const CANDIDATE = /(?<![\w\-/.:#,])(\d{4,8})(?![\w\-/:,]|\.\d|\s?[년월일시분초원명개])/g;
const NEAR = 48;

function trimUrl(url: string): string {
  return url.replace(/[.,;:!?)\]}]+$/, '');
}

export function extractLinks(text: string, html: string): ExtractedLink[] {
  const out: ExtractedLink[] = [];
  const seen = new Set<string>();
  const add = (url: string, linkText: string, source: ExtractedLink['source']) => {
    if (!/^https?:\/\//i.test(url) || seen.has(url)) return;
    seen.add(url);
    out.push({ url, text: linkText, source });
  };
  for (const m of html.matchAll(ANCHOR)) {
    const href = decodeEntities((m[1] ?? m[2] ?? m[3] ?? '').trim());
    add(href, collapseWhitespace(htmlToText(m[4] ?? '')), 'html');
  }
  for (const m of htmlToText(html).matchAll(URL_IN_TEXT)) add(trimUrl(m[0]), '', 'html');
  for (const m of text.matchAll(URL_IN_TEXT)) add(trimUrl(m[0]), '', 'text');
  return out;
}

export function extractCodes(body: string, source: ExtractedCode['source']): ExtractedCode[] {
  // URLs carry ids and timestamps that look like codes; they are not the code a user types.
  const plain = body.replace(URL_IN_TEXT, ' ');
  const out: ExtractedCode[] = [];
  for (const m of plain.matchAll(CANDIDATE)) {
    const at = m.index ?? 0;
    const before = plain.slice(Math.max(0, at - NEAR), at);
    const after = plain.slice(at + m[0].length, at + m[0].length + NEAR);
    if (!CODE_WORDS.test(before) && !CODE_WORDS.test(after)) continue;
    out.push({ code: m[1]!, context: collapseWhitespace(`${before}${m[0]}${after}`), source });
  }
  return out;
}

export function extract(mail: ParsedMail): Extraction {
  const text = mail.text ?? '';
  const html = typeof mail.html === 'string' ? mail.html : '';
  const codes: ExtractedCode[] = [];
  if (mail.otp)
    codes.push({ code: mail.otp.code, context: `OTP-Token origin=${mail.otp.origin}`, source: 'otp-header' });
  codes.push(...extractCodes(text, 'text'));
  if (html) codes.push(...extractCodes(htmlToText(html), 'html'));
  const seen = new Set<string>();
  return {
    links: extractLinks(text, html),
    codes: codes.filter((c) => !seen.has(c.code) && seen.add(c.code)),
  };
}
