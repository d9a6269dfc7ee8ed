// Bodies and attachment contents are not kept in memory per message; a message being looked
// at is re-parsed from its raw bytes. A handful of recent parses are kept because a test (or
// the UI) typically fetches the message, then its parts, then its links, back to back.
// mailparser (with libmime, iconv-lite, html-to-text...) is imported on the first parse, not
// at start-up.
import type { ParsedMail } from 'mailparser';
import { MailError } from '../errors.ts';
import type { MailStore, MessageSummary } from '../store/types.ts';
import { PARSE_OPTIONS } from './parse-options.ts';
import { trimLongHeaders } from './trim-headers.ts';

const ENTRIES = 4;

export class ParsedCache {
  #store: MailStore;
  #entries = new Map<string, Promise<ParsedMail>>();

  constructor(store: MailStore) {
    this.#store = store;
    store.subscribe((e) => {
      if (e.type === 'deleted') for (const id of e.ids) this.#entries.delete(id);
    });
  }

  async parsed(m: MessageSummary): Promise<ParsedMail> {
    let entry = this.#entries.get(m.id);
    if (entry) {
      this.#entries.delete(m.id);
    } else {
      entry = Promise.all([this.#store.raw(m.id), import('mailparser')]).then(([raw, { simpleParser }]) => {
        if (!raw) throw new MailError('NOT_FOUND', `Message ${m.id} not found`);
        return simpleParser(raw, PARSE_OPTIONS).catch(() =>
          simpleParser(trimLongHeaders(raw), PARSE_OPTIONS),
        );
      });
      entry.catch(() => this.#entries.delete(m.id));
    }
    this.#entries.set(m.id, entry);
    while (this.#entries.size > ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    return entry;
  }
}
