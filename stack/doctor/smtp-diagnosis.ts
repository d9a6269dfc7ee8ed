// From "which step failed and how" to "what it means and what to do", in the guide's terms.
// Pure (the two port sniffs are passed in as facts), so every branch has a unit test.
import type { SmtpSettings } from '../../src/config/index.ts';
import type { Failure } from './check.ts';
import { isLocalHost, PROVIDER_NAMES, smtpProvider } from './providers.ts';
import type { SmtpProbeFailure } from './smtp-probe.ts';

export interface PortFacts {
  /** The port completed a TLS handshake although the app expected a plain-text greeting. */
  speaksImplicitTls?: boolean;
  /** The port greeted in plain text although the app expected TLS from the first byte. */
  greetsInPlainText?: boolean;
}

const CERT_UNTRUSTED =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED)$/;

function where(s: SmtpSettings): string {
  return `${s.host}:${s.port}`;
}

function devStackHint(s: SmtpSettings): string {
  return isLocalHost(s.host) ? ' (for the dev stack: is `npm run dev:stack` running?)' : '';
}

function tlsFailure(s: SmtpSettings, f: SmtpProbeFailure, facts: PortFacts): Failure {
  const base = {
    detail: `TLS failed at ${where(s)}: ${f.message}`,
    code: f.code,
    section: 'smtp-tls-failed' as const,
  };
  if (s.useSsl && (f.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(f.message))) {
    return {
      ...base,
      cause: facts.greetsInPlainText
        ? `port ${s.port} greets in plain text (a STARTTLS port), but SMTP_USE_SSL${s.port === 465 ? ' (implied by port 465)' : ''} makes the app start with TLS`
        : `the server at port ${s.port} did not answer the TLS handshake with TLS`,
      fix: 'remove SMTP_USE_SSL and keep SMTP_USE_TLS=true (STARTTLS), or use the SSL port (465)',
    };
  }
  if (f.code && CERT_UNTRUSTED.test(f.code)) {
    return {
      ...base,
      cause: s.tlsCaFile
        ? `the server's certificate is not signed by a CA the app trusts: SMTP_TLS_CA_FILE=${s.tlsCaFile} is not the CA that issued it (${f.code})`
        : `the server's certificate is not signed by a public CA (${f.code})`,
      fix: s.tlsCaFile
        ? "point SMTP_TLS_CA_FILE at the CA that issued the server's certificate (the dev stack's is .stack/ca/ca.pem)"
        : "set SMTP_TLS_CA_FILE to the CA that issued the server's certificate (the dev stack's is .stack/ca/ca.pem)",
    };
  }
  if (f.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      ...base,
      cause: `the server's certificate is not valid for SMTP_HOST=${s.host}`,
      fix: 'use the host name the certificate was issued for',
    };
  }
  if (f.code === 'CERT_HAS_EXPIRED' || f.code === 'CERT_NOT_YET_VALID') {
    return { ...base, cause: `the server's certificate is outside its validity period (${f.code})` };
  }
  if (/does not offer STARTTLS/.test(f.message)) {
    return {
      ...base,
      cause: `the server at ${where(s)} offers no STARTTLS, and SMTP_USE_TLS=true requires it`,
      fix: 'use the provider’s TLS port (587 STARTTLS or 465 SSL); only a server without any TLS needs SMTP_USE_TLS=false',
    };
  }
  if (f.timedOut) return { ...base, cause: `the TLS handshake did not complete (${f.message})` };
  return { ...base, cause: `the TLS negotiation failed (${f.code ?? f.message})` };
}

function connectionFailure(s: SmtpSettings, f: SmtpProbeFailure): Failure {
  const base = {
    code: f.code,
    section: 'smtp-connection-timeout' as const,
    fix: 'check SMTP_HOST and SMTP_PORT',
  };
  if (f.code === 'ECONNREFUSED') {
    return {
      ...base,
      detail: `connection refused at ${where(s)}`,
      cause: `nothing accepts connections at ${where(s)}${devStackHint(s)}`,
    };
  }
  if (f.code === 'ENOTFOUND' || f.code === 'EAI_AGAIN') {
    return {
      ...base,
      detail: `SMTP_HOST=${s.host} does not resolve (${f.code})`,
      cause: 'a typo in SMTP_HOST, or no DNS',
    };
  }
  if (f.step === 'connect' && f.timedOut) {
    return {
      ...base,
      detail: `no TCP connection to ${where(s)}: ${f.message}`,
      cause: 'packets to this host and port are dropped (a firewall) or the host is unreachable',
    };
  }
  return {
    ...base,
    detail: `${f.step}: ${f.message}`,
    cause: f.timedOut
      ? `connected to ${where(s)}, but the server stopped answering (${f.step}): a firewall or proxy that accepts and stalls, or an overloaded server`
      : `the connection to ${where(s)} broke during ${f.step} (${f.code ?? f.message})`,
  };
}

function authFailure(s: SmtpSettings, f: SmtpProbeFailure): Failure {
  const provider = smtpProvider(s.host);
  const hint =
    provider === 'gmail'
      ? 'Gmail needs an app password, not the account password'
      : provider === 'ses'
        ? 'AWS SES needs its SMTP credentials (created in the SES console), not IAM access keys'
        : provider === 'sendgrid'
          ? 'SendGrid needs SMTP_USER=apikey and an API key as the password'
          : 'check SMTP_USER and SMTP_PASSWORD';
  return {
    detail: `AUTH refused: ${f.message}`,
    code: f.code,
    cause: `the server rejected SMTP_USER=${s.user} with the configured SMTP_PASSWORD${provider ? ` (${PROVIDER_NAMES[provider]})` : ''}`,
    fix: hint,
    section: 'smtp-auth-failed',
  };
}

/** Explains a failed probe step: the specific cause, the fix, and the guide entry it belongs to. */
export function diagnoseSmtpFailure(s: SmtpSettings, f: SmtpProbeFailure, facts: PortFacts = {}): Failure {
  const replyText = f.reply ? f.reply.lines.join(' ') : '';
  if (f.step === 'greeting' && f.timedOut && facts.speaksImplicitTls) {
    return {
      detail: `no greeting from ${where(s)} within the timeout: the port was waiting for a TLS handshake`,
      code: f.code,
      cause: `port ${s.port} expects TLS from the first byte (SSL), but the app connects in plain text${s.useTls ? ' and waits to STARTTLS' : ''}`,
      fix: 'set SMTP_USE_SSL=true for this port (port 465 implies it), or use the STARTTLS port (587) with SMTP_USE_TLS=true',
      section: 'smtp-tls-failed',
    };
  }
  if (f.step === 'tls') return tlsFailure(s, f, facts);
  if (f.reply && (f.reply.code === 530 || f.reply.code === 538) && /STARTTLS|TLS|encrypt/i.test(replyText)) {
    return {
      detail: `${f.step === 'auth' ? 'AUTH' : 'MAIL FROM'} refused: ${f.message}`,
      code: f.code,
      cause:
        'the server requires TLS before it accepts credentials or mail, and SMTP_USE_TLS=false skips STARTTLS',
      fix: 'set SMTP_USE_TLS=true',
      section: 'smtp-tls-failed',
    };
  }
  if (f.step === 'auth' && f.reply && (f.reply.code === 535 || f.reply.code === 534))
    return authFailure(s, f);
  if (f.step === 'auth' && /before STARTTLS/.test(f.message)) {
    return {
      detail: f.message,
      cause: 'the server offers AUTH only after STARTTLS, and SMTP_USE_TLS=false skips it',
      fix: 'set SMTP_USE_TLS=true',
      section: 'smtp-tls-failed',
    };
  }
  if (f.step === 'auth' && !f.reply && !f.timedOut) {
    return {
      detail: f.message,
      cause: 'the server and the app share no AUTH mechanism',
      section: 'smtp-auth-failed',
    };
  }
  if (f.step === 'mail-from' && f.reply?.code === 530) {
    return {
      detail: `MAIL FROM refused: ${f.message}`,
      code: f.code,
      cause:
        s.user === ''
          ? 'the server requires authentication, but SMTP_USER is empty so the app sends without AUTH'
          : 'the server requires authentication before MAIL FROM',
      fix: 'set SMTP_USER and SMTP_PASSWORD',
      section: 'smtp-auth-failed',
    };
  }
  if (f.reply) {
    return {
      detail: `${f.step}: ${f.message}`,
      code: f.code,
      cause:
        f.step === 'mail-from'
          ? `the server does not accept SMTP_FROM_EMAIL=${s.fromEmail} as the sender (it may need to be a verified identity)`
          : `the server refused ${f.step} (${f.reply.code >= 500 ? 'permanent' : 'temporary'} error)`,
      fix:
        f.step === 'mail-from'
          ? 'verify the sender address with the provider (the guide: 발신자 이메일 주소 검증)'
          : 'read the server reply; a 4xx reply is temporary, retry later',
    };
  }
  return connectionFailure(s, f);
}
