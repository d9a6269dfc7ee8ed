/** Stable codes for everything the mail server reports across its module boundary. */
export type MailErrorCode =
  | 'INVALID_OPTIONS'
  | 'LISTEN_FAILED'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'STORE_FAILED'
  | 'STORE_CLOSED'
  | 'WAIT_TIMEOUT'
  | 'WAIT_ABORTED'
  | 'UNEXPECTED_MESSAGE';

export class MailError extends Error {
  readonly code: MailErrorCode;
  /** Whatever a caller needs to act on the failure, e.g. the messages that did arrive before a timeout. */
  readonly details: Record<string, unknown>;
  constructor(code: MailErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MailError';
    this.code = code;
    this.details = details;
  }
}
