// HTML → text the way Mailpit's html2text.Strip does it, for the snippet, the free-text search
// and code/link extraction. The text nodes run together, so inline markup joins what it wraps
// (a code laid out as <span>4</span><span>8</span>… reads 48…); a space comes only where Mailpit
// puts one: between a closing block element and the tag right after it, at <br> and <br />, and
// before <img>. script, style, title and noscript give nothing. The search variant also carries
// each http(s) link target, written before the link's text. A small tokenizer instead of
// mailparser's html-to-text: that conversion is by far the most expensive part of parsing.
import { decodeEntities } from './html-entities.ts';

// Mailpit's own rewrites before parsing (internal/html2text): exactly these forms, no others.
const BLOCK_END_THEN_TAG =
  /<\/(div|p|td|th|h[1-6]|ul|ol|li|address|article|aside|blockquote|dl|dt|footer|header|hr|main|nav|pre|table|thead|tfoot|video)></gi;
const BR = /<(br \/|br)>/gi;
const IMG = /<(img)/gi;

/** Elements whose content is not markup; the first four give no text at all. */
const RAW_TEXT = new Set([
  'script',
  'style',
  'title',
  'noscript',
  'textarea',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
]);
const SILENT = new Set(['script', 'style', 'title', 'noscript']);

export interface HtmlText {
  /** What a reader sees: the snippet. */
  text: string;
  /** `text` with each http(s) link target before its link text: what free-text search matches. */
  searchable: string;
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 12 || c === 13;

/** Reads a tag from `<` at `lt`: its end, and its lower-cased name and href when asked for. */
function readTag(h: string, lt: number, wantHref: boolean): { end: number; name: string; href?: string } {
  const n = h.length;
  let i = lt + 1;
  if (h.charCodeAt(i) === 47) i++; // '/'
  const nameStart = i;
  while (i < n && !isSpace(h.charCodeAt(i)) && h[i] !== '/' && h[i] !== '>') i++;
  const name = h.slice(nameStart, i).toLowerCase();
  let href: string | undefined;
  while (i < n) {
    const c = h.charCodeAt(i);
    if (c === 62) return { end: i + 1, name, href }; // '>'
    if (isSpace(c) || c === 47) {
      i++;
      continue;
    }
    const attrStart = i;
    i++; // an attribute name may start with '='
    while (i < n && !isSpace(h.charCodeAt(i)) && h[i] !== '/' && h[i] !== '>' && h[i] !== '=') i++;
    const attr = h.slice(attrStart, i);
    while (i < n && isSpace(h.charCodeAt(i))) i++;
    if (h[i] !== '=') continue;
    i++;
    while (i < n && isSpace(h.charCodeAt(i))) i++;
    let value: string;
    const q = h[i];
    if (q === '"' || q === "'") {
      const close = h.indexOf(q, i + 1);
      if (close < 0) return { end: n, name: '' };
      value = h.slice(i + 1, close);
      i = close + 1;
    } else {
      const start = i;
      while (i < n && !isSpace(h.charCodeAt(i)) && h[i] !== '>') i++;
      value = h.slice(start, i);
    }
    if (wantHref && href === undefined && attr.toLowerCase() === 'href') href = decodeEntities(value);
  }
  // A tag cut off by the end of the document is dropped, as a browser drops it.
  return { end: n, name: '' };
}

/** Where raw text of `name` ends: the start of its closing tag, or the end of the document. */
function closingTag(h: string, name: string, from: number): { start: number; end: number } {
  const re = new RegExp(`</${name}(?=[\\s/>])`, 'gi');
  re.lastIndex = from;
  const m = re.exec(h);
  if (!m) return { start: h.length, end: h.length };
  const gt = h.indexOf('>', m.index);
  return { start: m.index, end: gt < 0 ? h.length : gt + 1 };
}

/** Go's html2text clean(): U+FEFF and non-printable characters become spaces, then one space per run. */
function clean(s: string): string {
  return s
    .replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

export function stripHtml(html: string): HtmlText {
  const h = html.replace(BLOCK_END_THEN_TAG, '</$1> <').replace(BR, ' ').replace(IMG, ' <$1');
  const text: string[] = [];
  const searchable: string[] = [];
  const emit = (s: string) => {
    const decoded = decodeEntities(s);
    text.push(decoded);
    searchable.push(decoded);
  };
  const n = h.length;
  let i = 0;
  while (i < n) {
    const lt = h.indexOf('<', i);
    if (lt < 0) {
      emit(h.slice(i));
      break;
    }
    if (lt > i) emit(h.slice(i, lt));
    const next = h.charCodeAt(lt + 1);
    if (h.startsWith('<!--', lt)) {
      // Searched from the first dash, so that <!--> and <!---> are (empty) comments too.
      const end = h.indexOf('-->', lt + 2);
      i = end < 0 ? n : end + 3;
    } else if (next === 33 || next === 63 || (next === 47 && !isLetter(h.charCodeAt(lt + 2)))) {
      // <!DOCTYPE>, <?xml?>, </> and </3: bogus comments up to the next '>'.
      const end = h.indexOf('>', lt + 2);
      i = end < 0 ? n : end + 1;
    } else if (next === 47) {
      i = readTag(h, lt, false).end;
    } else if (isLetter(next)) {
      const tag = readTag(h, lt, true);
      i = tag.end;
      if (tag.name === 'a' && tag.href !== undefined && tag.href.toLowerCase().startsWith('http'))
        searchable.push(` ${tag.href} `);
      if (tag.name === 'plaintext') {
        emit(h.slice(i));
        break;
      }
      if (RAW_TEXT.has(tag.name)) {
        const close = closingTag(h, tag.name, i);
        if (!SILENT.has(tag.name)) emit(h.slice(i, close.start));
        i = close.end;
      }
    } else {
      emit('<');
      i = lt + 1;
    }
  }
  return { text: clean(text.join('')), searchable: clean(searchable.join('')) };
}

/** The visible text of an HTML body, on one line. */
export function htmlToText(html: string): string {
  return stripHtml(html).text;
}

export function collapseWhitespace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
