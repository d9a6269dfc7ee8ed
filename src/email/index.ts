export { classifySmtpError } from './classify-error.ts';
export { EMAIL_ERRORS, EmailError, type EmailErrorCode, type EmailErrorDetails } from './email-error.ts';
export {
  createEmailService,
  type EmailSendResult,
  type EmailService,
  type EmailServiceOptions,
  type RetryPolicy,
} from './email-service.ts';
export { escapeHtml } from './escape-html.ts';
export {
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
export {
  DEFAULT_SMTP_TIMEOUTS,
  IMPLICIT_TLS_PORT,
  type SmtpSecurity,
  type SmtpTimeouts,
  smtpSecurity,
  smtpTransportOptions,
} from './transport-options.ts';
