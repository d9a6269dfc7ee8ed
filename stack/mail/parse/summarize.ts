// Raw message + how it arrived → the summary the store keeps in memory.
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import type { AttachmentSummary, MailAddress, MessageSummary, SessionRecord } from '../store/types.ts';
import { collapseWhitespace, htmlToText } from './html-text.ts';
import { PARSE_OPTIONS } from './parse-options.ts';
import { deriveScopes, SCOPE_HEADER } from './scopes.ts';

const SNIPPET_CHARS = 250;
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

function headerStrings(mail: ParsedMail, key: string): string[] {
  return mail.headerLines
    .filter((h) => h.key === key)
    .map((h) => h.line.slice(h.line.indexOf(':') + 1).trim());
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
  // Only the start of a body feeds the snippet and the (capped) search text; stripping a 20 MB
  // HTML body whole would hold the event loop for nothing.
  const bodyText = collapseWhitespace(
    html ? htmlToText(html.slice(0, HTML_TO_STRIP)) : (mail.text ?? '').slice(0, SEARCH_TEXT_CHARS),
  );
  const attachments = attachmentSummaries(mail);
  const headerText = ['from', 'subject', 'to', 'cc', 'bcc', 'reply-to', 'return-path']
    .flatMap((k) => headerStrings(mail, k))
    .join(' ');
  const subject = mail.subject ?? '';
  const searchText = collapseWhitespace(
    `${headerText} ${subject} ${[from, ...to, ...cc, ...bcc].map((a) => (a ? `${a.name} ${a.address}` : '')).join(' ')} ${bodyText} ${attachments.map((a) => a.fileName).join(' ')}`,
  )
    .toLowerCase()
    .slice(0, SEARCH_TEXT_CHARS);
  const tags = headerStrings(mail, 'x-tags')
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  return {
    messageId: (mail.messageId ?? '').replace(/^<|>$/g, ''),
    subject,
    date: validDate(mail.date),
    from,
    to,
    cc,
    bcc,
    replyTo: addresses(mail.replyTo),
    returnPath: (headerStrings(mail, 'return-path')[0] ?? session.mailFrom).replace(/^<|>$/g, ''),
    size: raw.length,
    attachments,
    snippet: bodyText.slice(0, SNIPPET_CHARS),
    tags: [...new Set(tags)],
    scopes: deriveScopes({
      user: session.auth?.user,
      rcptTo: session.rcptTo,
      headerScopes: headerStrings(mail, SCOPE_HEADER),
    }),
    session,
    searchText,
  };
}
