// Recognizing the providers the guide configures, and the shapes of their credentials.

export type SmtpProvider = 'gmail' | 'ses' | 'sendgrid';

/** The guide's SMTP providers by host name; all three refuse AUTH without TLS. */
export function smtpProvider(host: string): SmtpProvider | undefined {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  if (/^(smtp|smtp-relay)\.(gmail|googlemail)\.com$/.test(h)) return 'gmail';
  if (/^email-smtp(-fips)?\.[a-z0-9-]+\.amazonaws\.com$/.test(h)) return 'ses';
  if (h === 'smtp.sendgrid.net') return 'sendgrid';
  return undefined;
}

export const PROVIDER_NAMES: Readonly<Record<SmtpProvider, string>> = {
  gmail: 'Gmail',
  ses: 'AWS SES',
  sendgrid: 'SendGrid',
};

/** Google app passwords are 16 letters, often shown in groups of four ("abcd efgh ijkl mnop"). */
export function looksLikeGmailAppPassword(password: string): boolean {
  return /^[a-z]{16}$/i.test(password.replace(/ /g, ''));
}

/**
 * AWS access key ids are "AKIA" (long-term) or "ASIA" (temporary) and 16 more characters of the
 * base32 alphabet (A-Z, 2-7): the dev stack's `AKIAFOCUSMATELOCAL01` has a 0 and a 1, so it is
 * visibly not one.
 */
export function looksLikeAwsAccessKey(accessKeyId: string): boolean {
  return /^(AKIA|ASIA)[A-Z2-7]{16}$/.test(accessKeyId);
}

/** The example key of the AWS documentation (and of the guide's production .env). */
export const AWS_EXAMPLE_ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';

/** An S3 endpoint served by AWS itself (regional, dual-stack, FIPS, VPC interface endpoints). */
export function isAwsHost(hostname: string): boolean {
  return /(^|\.)amazonaws\.com(\.cn)?$/i.test(hostname.replace(/\.$/, ''));
}

/** Loopback, private-network, or single-label (a compose service such as `minio`) host names. */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === 'host.docker.internal')
    return true;
  if (/^127\./.test(h) || /^10\./.test(h) || /^192\.168\./.test(h)) return true;
  if (/^172\.(1[6-9]|2\d|3[01])\./.test(h)) return true;
  if (/^f[cd][0-9a-f]{2}:/.test(h)) return true;
  return !h.includes('.') && !h.includes(':');
}

export function endpointHost(endpoint: string): string {
  return new URL(endpoint).hostname;
}
