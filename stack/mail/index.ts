// Public surface of the captured-mail server.
export {
  createMailApi,
  MAIL_API_VERSION,
  type MailApiHandler,
  type MailApiOptions,
} from './api/create-mail-api.ts';
export { type MailApiListener, startMailApi } from './api/standalone.ts';
export { MailError, type MailErrorCode } from './errors.ts';
export type { ExtractedCode, ExtractedLink, Extraction } from './parse/extract.ts';
export type { MessageFilter, TextMatch } from './search/filter.ts';
export type { WaitOptions } from './search/wait.ts';
export {
  type FullMessage,
  type MailServer,
  type MailServerOptions,
  type MailServerPorts,
  startMailServer,
} from './server.ts';
export type { AuthMode, SmtpUser } from './smtp/auth.ts';
export {
  createStore,
  type DiskStoreOptions,
  type MemoryStoreOptions,
  type StoreOptions,
} from './store/create-store.ts';
export type {
  AttachmentSummary,
  MailAddress,
  MailStore,
  MessageSummary,
  ReplyRecord,
  SessionRecord,
  StoreEvent,
} from './store/types.ts';
