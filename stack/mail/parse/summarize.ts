// Raw message + how it arrived → the summary the store keeps in memory.
// mailparser (with libmime, iconv-lite, html-to-text...) is imported with the first message,
// not at start-up.
import type { AddressObject, ParsedMail } from 'mailparser';
import { cleanString } from '../search/query.ts';
import type { AttachmentSummary, MailAddress, MessageSummary, SessionRecord } from '../store/types.ts';
import { headerValue } from './header-value.ts';
import { stripHtml } from './html-text.ts';
import { PARSE_OPTIONS } from './parse-options.ts';
import { deriveScopes, SCOPE_HEADER } from './scopes.ts';
import { createSnippet } from './snippet.ts';
import { messageTags } from './tags.ts';

/** Free-text search looks at this much of each message; the raw message is always kept whole. */
const SEARCH_TEXT_CHARS = 64 * 1024;
const HTML_TO_STRIP = 256 * 1024;

export type SummaryFields = Omit<MessageSummary, 'id' | 'seq' | 'created' | 'read'>;

export function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const out: MailAddress[] = [];
  const walk = (list: { name: string; address?: string; group?: unknown[] }[]) => {
    for (const a of list) {
      if (a.group) walk(a.group as typeof list);
      else out.push({ name: a.name ?? '', address: a.address ?? '' });
    }
  };
  for (const obj of value === undefined ? [] : Array.isArray(value) ? value : [value]) walk(obj.value);
  return out;
}

/** Header fields whose values the summary uses: free-text search, tags, scopes, Return-Path. */
const SEARCHED = ['from', 'subject', 'to', 'cc', 'bcc', 'reply-to', 'return-path'];
const WANTED = new Set([...SEARCHED, 'x-tags', SCOPE_HEADER]);

/** The unfolded values of the wanted fields by key, in one pass over the header. */
function headerValues(mail: ParsedMail): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const h of mail.headerLines) {
    if (!WANTED.has(h.key)) continue;
    const values = out.get(h.key);
    if (values) values.push(headerValue(h.line));
    else out.set(h.key, [headerValue(h.line)]);
  }
  return out;
}

function attachmentSummaries(mail: ParsedMail): AttachmentSummary[] {
  return mail.attachments.map((a, i) => ({
    partId: a.partId ?? String(i + 1),
    fileName: a.filename ?? '',
    contentType: a.contentType || 'application/octet-stream',
    contentId: (a.contentId ?? '').replace(/^<|>$/g, ''),
    size: a.size,
    sha256: a.checksum,
    inline: a.contentDisposition === 'inline' && Boolean(a.related || a.contentId),
  }));
}

function validDate(d: Date | undefined): string {
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : '';
}

export async function summarize(raw: Buffer, session: SessionRecord): Promise<SummaryFields> {
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(raw, PARSE_OPTIONS);
  const to = addresses(mail.to);
  const cc = addresses(mail.cc);
  const seen = new Set([...to, ...cc].map((a) => a.address.toLowerCase()));
  const bcc = addresses(mail.bcc);
  for (const a of bcc) seen.add(a.address.toLowerCase());
  for (const rcpt of session.rcptTo) {
    if (!seen.has(rcpt.toLowerCase())) {
      bcc.push({ name: '', address: rcpt });
      seen.add(rcpt.toLowerCase());
    }
  }
  const from = addresses(mail.from)[0] ?? null;
  const html = typeof mail.html === 'string' ? mail.html : '';
  const text = mail.text ?? '';
  // Only the start of a body feeds the snippet and the (capped) search text; stripping a 20 MB
  // HTML body whole would hold the event loop for nothing.
  const stripped = html ? stripHtml(html.slice(0, HTML_TO_STRIP)) : undefined;
  const attachments = attachmentSummaries(mail);
  const headers = headerValues(mail);
  const values = (key: string) => headers.get(key) ?? [];
  const headerText = SEARCHED.flatMap(values).join(' ');
  const subject = mail.subject ?? '';
  const addressText = [from, ...to, ...cc, ...bcc].map((a) => (a ? `${a.name} ${a.address}` : '')).join(' ');
  // As Mailpit: the HTML body's text with its link targets, or the text body when that is empty;
  // file names of attachments (not of inline parts); then its cleanString.
  const bodyText = stripped?.searchable || text.slice(0, SEARCH_TEXT_CHARS);
  const fileNames = attachments
    .filter((a) => !a.inline)
    .map((a) => a.fileName)
    .join(' ');
  const cleaned = cleanString(
    `${headerText} ${subject} ${addressText} ${bodyText.slice(0, SEARCH_TEXT_CHARS)} ${fileNames}`,
  );
  // Kept for the message's life: a cut is copied, so it does not hold the whole text alive.
  const searchText =
    cleaned.length > SEARCH_TEXT_CHARS
      ? (JSON.parse(JSON.stringify(cleaned.slice(0, SEARCH_TEXT_CHARS))) as string)
      : cleaned;
  return {
    messageId: (mail.messageId ?? '').replace(/^<|>$/g, ''),
    subject,
    date: validDate(mail.date),
    from,
    to,
    cc,
    bcc,
    replyTo: addresses(mail.replyTo),
    returnPath: (values('return-path')[0] ?? session.mailFrom).replace(/^<|>$/g, ''),
    size: raw.length,
    attachments,
    snippet: createSnippet(text.slice(0, SEARCH_TEXT_CHARS), html, stripped?.text),
    tags: messageTags({ xTags: values('x-tags'), addresses: [from, ...to, ...cc, ...bcc] }),
    scopes: deriveScopes({
      user: session.auth?.user,
      rcptTo: session.rcptTo,
      headerScopes: values(SCOPE_HEADER),
    }),
    session,
    searchText,
  };
}
