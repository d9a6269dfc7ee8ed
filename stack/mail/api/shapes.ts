// Our summaries in Mailpit's JSON shapes (server/apiv1, internal/storage/structs.go).
import { createHash } from 'node:crypto';
import type { Attachment, ParsedMail } from 'mailparser';
import { headerValue } from '../parse/header-value.ts';
import type { AttachmentSummary, MailAddress, MessageSummary } from '../store/types.ts';

export interface MailpitAddress {
  Name: string;
  Address: string;
}

const addr = (a: MailAddress): MailpitAddress => ({ Name: a.name, Address: a.address });

/** A Mailpit MessageSummary (list item), plus our Seq and Scopes. */
export function listItem(m: MessageSummary) {
  return {
    ID: m.id,
    MessageID: m.messageId,
    Read: m.read,
    From: m.from ? addr(m.from) : null,
    To: m.to.map(addr),
    Cc: m.cc.map(addr),
    Bcc: m.bcc.map(addr),
    ReplyTo: m.replyTo.map(addr),
    Subject: m.subject,
    Created: m.created,
    Username: m.session.auth?.user ?? '',
    Tags: m.tags,
    Size: m.size,
    Attachments: m.attachments.filter((a) => !a.inline).length,
    Snippet: m.snippet,
    Seq: m.seq,
    Scopes: m.scopes,
  };
}

function hash(algo: string, data: Buffer): string {
  return createHash(algo).update(data).digest('hex');
}

function attachment(a: AttachmentSummary, content: Buffer | undefined) {
  return {
    PartID: a.partId,
    FileName: a.fileName,
    ContentType: a.contentType,
    ContentID: a.contentId,
    Size: a.size,
    Checksums: {
      MD5: content ? hash('md5', content) : '',
      SHA1: content ? hash('sha1', content) : '',
      SHA256: a.sha256,
    },
  };
}

/** A Mailpit Message (GET /api/v1/message/{ID}), plus our Seq, Scopes and Session record. */
export function fullMessage(m: MessageSummary, mail: ParsedMail) {
  const contents = new Map<string, Buffer>();
  mail.attachments.forEach((a: Attachment, i) => {
    contents.set(a.partId ?? String(i + 1), a.content);
  });
  const listUnsubscribe = mail.headerLines.find((h) => h.key === 'list-unsubscribe');
  const listUnsubscribePost = mail.headerLines.find((h) => h.key === 'list-unsubscribe-post');
  const value = (line: string | undefined) => (line ? headerValue(line) : '');
  const header = value(listUnsubscribe?.line);
  return {
    ID: m.id,
    MessageID: m.messageId,
    From: m.from ? addr(m.from) : null,
    To: m.to.map(addr),
    Cc: m.cc.map(addr),
    Bcc: m.bcc.map(addr),
    ReplyTo: m.replyTo.map(addr),
    ReturnPath: m.returnPath,
    Subject: m.subject,
    ListUnsubscribe: {
      Header: header,
      Links: [...header.matchAll(/<([^>]+)>/g)].map((x) => x[1]!),
      Errors: '',
      HeaderPost: value(listUnsubscribePost?.line),
    },
    Date: m.date || m.created,
    Tags: m.tags,
    Username: m.session.auth?.user ?? '',
    Text: mail.text ?? '',
    HTML: typeof mail.html === 'string' ? mail.html : '',
    Size: m.size,
    Inline: m.attachments.filter((a) => a.inline).map((a) => attachment(a, contents.get(a.partId))),
    Attachments: m.attachments.filter((a) => !a.inline).map((a) => attachment(a, contents.get(a.partId))),
    Seq: m.seq,
    Scopes: m.scopes,
    Session: m.session,
  };
}
