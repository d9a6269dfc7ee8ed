// DATA → stored message. The whole message is collected, summarized and stored before the
// callback runs, so the client's final 250 means "durably stored". A client that vanishes
// mid-DATA destroys the stream: 'end' never fires and nothing is stored.
import type { SMTPServerDataStream } from 'smtp-server';
import { type SummaryFields, summarize } from '../parse/summarize.ts';
import { trimLongHeaders } from '../parse/trim-headers.ts';
import type { SmtpReply } from '../profiles/types.ts';
import type { MailStore, MessageSummary, SessionRecord } from '../store/types.ts';

/** Never lose a message because it does not parse: keep it with what the envelope says. */
export async function summarizeOrFallback(raw: Buffer, session: SessionRecord): Promise<SummaryFields> {
  try {
    return await summarize(raw, session);
  } catch {
    // Retried below with oversized header fields cut; then the envelope alone.
  }
  try {
    return { ...(await summarize(trimLongHeaders(raw), session)), size: raw.length };
  } catch {
    return {
      messageId: '',
      subject: '',
      date: '',
      from: session.mailFrom ? { name: '', address: session.mailFrom } : null,
      to: [],
      cc: [],
      bcc: session.rcptTo.map((address) => ({ name: '', address })),
      replyTo: [],
      returnPath: session.mailFrom,
      size: raw.length,
      attachments: [],
      snippet: '',
      tags: [],
      scopes: session.auth ? [session.auth.user] : [],
      session,
      searchText: '',
    };
  }
}

/** A check of the received message before it is stored (provider profiles): a refusal or undefined. */
export type MessageScreen = (fields: SummaryFields, session: SessionRecord) => SmtpReply | undefined;

export function receiveMessage(
  stream: SMTPServerDataStream,
  store: MailStore,
  record: () => SessionRecord,
  screen?: MessageScreen,
): Promise<MessageSummary | 'too-large' | 'aborted' | { refused: SmtpReply }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      // Past the limit the message will be refused with 552: stop holding its bytes.
      if (stream.sizeExceeded) return;
      chunks.push(chunk);
      length += chunk.length;
    });
    stream.once('error', () => resolve('aborted'));
    stream.once('close', () => {
      if (!stream.readableEnded) resolve('aborted');
    });
    stream.once('end', () => {
      if (stream.sizeExceeded) {
        resolve('too-large');
        return;
      }
      // Exactly sized and unpooled: a small message copied into Node's shared 8 KB pool would
      // keep the whole slab (and whatever else was in it) alive for as long as it is stored.
      const raw = Buffer.allocUnsafeSlow(length);
      let offset = 0;
      for (const chunk of chunks) offset += chunk.copy(raw, offset);
      const session = record();
      const keep = async (): Promise<MessageSummary | { refused: SmtpReply }> => {
        const fields = await summarizeOrFallback(raw, session);
        // A profile (SES's verified identities...) may refuse it; then nothing is stored.
        const refused = screen?.(fields, session);
        return refused ? { refused } : store.add(raw, fields);
      };
      keep().then(resolve, reject);
    });
  });
}
