import { EmailError } from './email-error.ts';

/** The fields nodemailer puts on its errors (see nodemailer's errors module). */
interface NodemailerError extends Error {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

// OpenSSL / Node certificate and handshake failures, as they surface on a socket error.
const TLS_SOCKET_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME/;

// SES: "554 Message rejected: Email address is not verified"; SendGrid: "550 The from address
// does not match a verified Sender Identity"; generic servers: "553 sender address rejected".
const UNVERIFIED_SENDER = /not verified|verified Sender Identity|sender (address )?(rejected|not allowed)/i;

function isRecipientCommand(command: string | undefined): boolean {
  return command !== undefined && /^RCPT/i.test(command);
}

/** Maps whatever nodemailer threw to an EmailError with a stable code. Order matters: the first match wins. */
export function classifySmtpError(raw: unknown): EmailError {
  if (raw instanceof EmailError) return raw;
  const err = (raw instanceof Error ? raw : new Error(String(raw))) as NodemailerError;
  const code = err.code ?? '';
  const original = err.originalCode ?? '';
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const details = { responseCode, response: err.response, command: err.command, cause: err };
  const detail = err.message;

  if (code === 'EAUTH' || code === 'ENOAUTH' || responseCode === 535 || responseCode === 534) {
    return new EmailError('AUTH_FAILED', detail, details);
  }
  if (
    code === 'ETLS' ||
    code === 'EREQUIRETLS' ||
    TLS_SOCKET_CODES.test(original) ||
    TLS_SOCKET_CODES.test(code) ||
    /required STARTTLS/i.test(detail)
  ) {
    return new EmailError('TLS_FAILED', detail, details);
  }
  if (code === 'ETIMEDOUT' || original === 'ETIMEDOUT')
    return new EmailError('CONNECTION_TIMEOUT', detail, details);
  if (original === 'ECONNREFUSED' || code === 'ECONNREFUSED') {
    return new EmailError('CONNECTION_REFUSED', detail, details);
  }
  if (responseCode === 552 || (code === 'EMESSAGE' && /size/i.test(detail))) {
    return new EmailError('MESSAGE_TOO_LARGE', detail, details);
  }
  if (responseCode !== undefined && responseCode >= 500 && UNVERIFIED_SENDER.test(err.response ?? detail)) {
    return new EmailError('SENDER_REJECTED', detail, details);
  }
  if (
    responseCode !== undefined &&
    responseCode >= 500 &&
    (code === 'EENVELOPE' || isRecipientCommand(err.command))
  ) {
    return new EmailError('RECIPIENT_REJECTED', detail, details);
  }
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) {
    return new EmailError('SERVER_ERROR', detail, { ...details, transient: true });
  }
  if (responseCode !== undefined && responseCode >= 500)
    return new EmailError('SERVER_ERROR', detail, details);
  if (code === 'EDNS' || code === 'ECONNECTION' || code === 'ESOCKET' || original === 'ENOTFOUND') {
    return new EmailError('CONNECTION_FAILED', detail, details);
  }
  return new EmailError('UNKNOWN', detail, details);
}
