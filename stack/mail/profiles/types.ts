// Provider profiles: how the captured-mail server answers where Gmail, SES and SendGrid differ
// from a plain SMTP server in ways an app notices (who may authenticate, which senders and
// recipients are allowed, and the exact wording of their refusals).
import type { MailAddress } from '../store/types.ts';

export type SmtpProfileName = 'gmail' | 'ses' | 'sendgrid' | 'none';

export interface SmtpProfileOptions {
  name: SmtpProfileName;
  /**
   * SES and SendGrid: verified sender identities, each an address (`noreply@example.com`) or a
   * whole domain (`example.com`). @default [] (stack: the domain of SMTP_FROM_EMAIL)
   */
  verifiedIdentities?: string[];
  /** SES sandbox: recipients must be verified identities too. @default false */
  sandbox?: boolean;
  /** SES region named in its refusals. @default 'us-east-1' */
  region?: string;
}

/** An exact SMTP reply: lines carry their enhanced code (if any); the code goes on every line. */
export interface SmtpReply {
  code: number;
  lines: string[];
}

/** What a profile sees of a message it screens. */
export interface ScreenedMessage {
  from: MailAddress | null;
  mailFrom: string;
  rcptTo: string[];
}

export interface SmtpProfile {
  readonly name: SmtpProfileName;
  /** MAIL before a successful AUTH is refused with this reply. */
  readonly authRequired?: SmtpReply;
  /**
   * The answer to AUTH: `ok` is what the server's auth mode decided about the credentials.
   * Returns the refusal, or undefined to accept.
   */
  auth?(username: string, ok: boolean): SmtpReply | undefined;
  /** The final reply for a received message, or undefined to accept it. */
  screen?(message: ScreenedMessage): SmtpReply | undefined;
}
