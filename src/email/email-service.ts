import { setTimeout as delay } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../config/settings.ts';
import { consoleLogger, type Logger } from '../logger.ts';
import { classifySmtpError } from './classify-error.ts';
import { EmailError } from './email-error.ts';
import {
  type EmailContent,
  type EmailKind,
  type TeamInvitationInput,
  teamInvitationEmail,
  type VerificationApprovedInput,
  type VerificationRejectedInput,
  type VerificationSubmittedInput,
  verificationApprovedEmail,
  verificationRejectedEmail,
  verificationSubmittedEmail,
} from './messages.ts';
import {
  type SmtpSecurity,
  type SmtpTimeouts,
  smtpSecurity,
  smtpTransportOptions,
} from './transport-options.ts';

export interface RetryPolicy {
  /** Total attempts for a transient (4xx) refusal, the first one included. @default 3 */
  attempts?: number;
  /** Wait before the 2nd attempt; doubles for each further one. @default 500 */
  backoffMs?: number;
}

export interface EmailServiceOptions {
  /** Where "skipped" sends and retries are reported. @default consoleLogger */
  logger?: Logger;
  /** Connection, greeting and socket timeouts. @default DEFAULT_SMTP_TIMEOUTS (10 s, 10 s, 30 s) */
  timeouts?: SmtpTimeouts;
  /** Retry of transient refusals. @default { attempts: 3, backoffMs: 500 } */
  retry?: RetryPolicy;
  /** Base for a relative SMTP_TLS_CA_FILE. @default process.cwd() */
  cwd?: string;
}

export type EmailSendResult =
  | {
      status: 'sent';
      kind: EmailKind;
      to: string;
      subject: string;
      messageId: string;
      /** The server's final reply, e.g. "250 OK: queued as ...". */
      response: string;
      attempts: number;
    }
  | { status: 'skipped'; kind: EmailKind; to: string; subject: string; reason: 'SMTP_DISABLED' };

export interface EmailService {
  /** How the transport secures the connection: 'implicit-tls' (465), 'starttls-required' or 'none'. */
  readonly security: SmtpSecurity;
  readonly enabled: boolean;
  sendVerificationSubmitted(to: string, input: VerificationSubmittedInput): Promise<EmailSendResult>;
  sendVerificationApproved(to: string, input: VerificationApprovedInput): Promise<EmailSendResult>;
  sendVerificationRejected(to: string, input: VerificationRejectedInput): Promise<EmailSendResult>;
  sendTeamInvitation(to: string, input: TeamInvitationInput): Promise<EmailSendResult>;
  /** Sends already rendered content. */
  send(to: string, content: EmailContent): Promise<EmailSendResult>;
  /** Connects, negotiates TLS and AUTH, then quits: the doctor's check. Throws EmailError. */
  verify(): Promise<void>;
  close(): void;
}

// One address, no display name, no list: a recipient string must never smuggle in a second address.
const SINGLE_ADDRESS = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;

/**
 * The app's email service on nodemailer. With SMTP disabled it never connects: it logs the
 * message it would have sent and returns `{ status: 'skipped' }`. Failures throw EmailError.
 *
 * Retry: only an explicit 4xx reply (421, 450, 451, 452) is retried, on a fresh connection, up to
 * `retry.attempts` times with doubling backoff. Connection errors and timeouts are not retried: a
 * connection lost after DATA may already have delivered the message, and a retry would duplicate it.
 */
export function createEmailService(settings: SmtpSettings, options: EmailServiceOptions = {}): EmailService {
  const logger = options.logger ?? consoleLogger;
  const attempts = Math.max(1, options.retry?.attempts ?? 3);
  const backoffMs = options.retry?.backoffMs ?? 500;
  const transporter = settings.enabled
    ? nodemailer.createTransport(
        smtpTransportOptions(settings, options.timeouts ?? {}, options.cwd ?? process.cwd()),
      )
    : undefined;
  const from = { name: settings.fromName, address: settings.fromEmail };

  async function deliver(to: string, content: EmailContent, attempt: number): Promise<EmailSendResult> {
    try {
      const info = await transporter!.sendMail({
        from,
        to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        textEncoding: 'base64',
      });
      if (info.rejected.length > 0) {
        throw new EmailError('RECIPIENT_REJECTED', `the server rejected ${info.rejected.join(', ')}`, {
          response: info.response,
        });
      }
      return {
        status: 'sent',
        kind: content.kind,
        to,
        subject: content.subject,
        messageId: info.messageId,
        response: info.response,
        attempts: attempt,
      };
    } catch (raw) {
      const error = classifySmtpError(raw);
      if (!error.transient || attempt >= attempts) throw attempt > 1 ? error.withAttempts(attempt) : error;
      const wait = backoffMs * 2 ** (attempt - 1);
      logger.warn('email send refused temporarily, retrying', {
        kind: content.kind,
        to,
        attempt,
        responseCode: error.responseCode,
        retryInMs: wait,
      });
      await delay(wait);
      return deliver(to, content, attempt + 1);
    }
  }

  async function send(to: string, content: EmailContent): Promise<EmailSendResult> {
    if (!SINGLE_ADDRESS.test(to))
      throw new EmailError('INVALID_ADDRESS', `not a single email address: ${JSON.stringify(to)}`);
    if (!transporter) {
      logger.info('email not sent (SMTP_ENABLED=false); it would have been:', {
        kind: content.kind,
        from: `"${from.name}" <${from.address}>`,
        to,
        subject: content.subject,
        text: content.text,
      });
      return { status: 'skipped', kind: content.kind, to, subject: content.subject, reason: 'SMTP_DISABLED' };
    }
    return deliver(to, content, 1);
  }

  return {
    security: smtpSecurity(settings),
    enabled: settings.enabled,
    send,
    // async so that a rendering error (a bad accept link) is a rejection, never a synchronous throw
    sendVerificationSubmitted: async (to, input) => send(to, verificationSubmittedEmail(input)),
    sendVerificationApproved: async (to, input) => send(to, verificationApprovedEmail(input)),
    sendVerificationRejected: async (to, input) => send(to, verificationRejectedEmail(input)),
    sendTeamInvitation: async (to, input) => send(to, teamInvitationEmail(input)),
    async verify() {
      if (!transporter) return;
      try {
        await transporter.verify();
      } catch (raw) {
        throw classifySmtpError(raw);
      }
    },
    close() {
      transporter?.close();
    },
  };
}
