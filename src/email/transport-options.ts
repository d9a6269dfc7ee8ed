import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { SMTPTransportOptions } from 'nodemailer';
import { ConfigError } from '../config/config-error.ts';
import type { SmtpSettings } from '../config/settings.ts';
import { dkimSigning } from './dkim-key.ts';

export { IMPLICIT_TLS_PORT } from '../config/settings.ts';

export interface SmtpTimeouts {
  /** Milliseconds to wait for the TCP (and, on 465, TLS) connection. @default 10000 */
  connectionMs?: number;
  /** Milliseconds to wait for the server greeting (and a STARTTLS upgrade). @default 10000 */
  greetingMs?: number;
  /** Milliseconds of socket inactivity before giving up. @default 30000 */
  socketMs?: number;
}

export const DEFAULT_SMTP_TIMEOUTS: Readonly<Required<SmtpTimeouts>> = Object.freeze({
  connectionMs: 10_000,
  greetingMs: 10_000,
  socketMs: 30_000,
});

export type SmtpSecurity = 'implicit-tls' | 'starttls-required' | 'none';

/** SSL (465 by default) is TLS from the first byte; otherwise SMTP_USE_TLS decides between required STARTTLS and none. */
export function smtpSecurity(settings: Pick<SmtpSettings, 'useSsl' | 'useTls'>): SmtpSecurity {
  if (settings.useSsl) return 'implicit-tls';
  return settings.useTls ? 'starttls-required' : 'none';
}

/**
 * Reads SMTP_TLS_CA_FILE. Its CA is trusted in addition to the public roots, and only on this
 * transport: certificate checking stays on, and nothing process-wide changes.
 */
export function readTrustedCa(caFile: string, cwd: string): string[] {
  const path = resolve(cwd, caFile);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
    new X509Certificate(pem);
  } catch (error) {
    throw new ConfigError([
      {
        variable: 'SMTP_TLS_CA_FILE',
        value: caFile,
        expected: `a readable PEM certificate file (${path}: ${(error as Error).message})`,
      },
    ]);
  }
  return [...rootCertificates, pem];
}

export function smtpTransportOptions(
  settings: SmtpSettings,
  timeouts: SmtpTimeouts,
  cwd: string,
): SMTPTransportOptions {
  const security = smtpSecurity(settings);
  const ca = settings.tlsCaFile ? readTrustedCa(settings.tlsCaFile, cwd) : undefined;
  const t = { ...DEFAULT_SMTP_TIMEOUTS, ...timeouts };
  return {
    host: settings.host,
    port: settings.port,
    secure: security === 'implicit-tls',
    // requireTLS makes nodemailer fail rather than continue in clear when STARTTLS is missing or fails.
    requireTLS: security === 'starttls-required',
    ignoreTLS: security === 'none',
    auth: settings.user ? { user: settings.user, pass: settings.password } : undefined,
    tls: { ...(ca ? { ca } : {}), minVersion: 'TLSv1.2' },
    connectionTimeout: t.connectionMs,
    greetingTimeout: t.greetingMs,
    socketTimeout: t.socketMs,
    // Every message is signed with the deployment's key (SMTP_DKIM_*), so DMARC can pass on DKIM.
    ...(settings.dkim ? { dkim: dkimSigning(settings.dkim, cwd) } : {}),
    logger: false,
    debug: false,
  };
}
