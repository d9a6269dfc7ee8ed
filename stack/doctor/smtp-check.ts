// The SMTP half of the doctor: the step-by-step probe (what the server says at each step), the
// app's own email service verifying the same settings, and with --send-to a real test message —
// the guide's "이메일 전송 테스트", through the app's send_verification_submitted_email.
import type { Settings } from '../../src/config/index.ts';
import { ConfigError } from '../../src/config/index.ts';
import {
  createEmailService,
  EmailError,
  type EmailErrorCode,
  smtpSecurity,
  smtpTransportOptions,
} from '../../src/email/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { type Check, failed, passed, skipped } from './check.ts';
import { GUIDE_STEPS, type GuideSectionId } from './guide-sections.ts';
import { isLocalHost } from './providers.ts';
import { diagnoseSmtpFailure, type PortFacts } from './smtp-diagnosis.ts';
import { greetsInPlainText, speaksImplicitTls } from './smtp-port-sniff.ts';
import { probeSmtp, type SmtpProbeResult, type SmtpStep } from './smtp-probe.ts';

export interface SmtpCheckOptions {
  /** Bound on each network wait. */
  timeoutMs: number;
  /** Base for a relative SMTP_TLS_CA_FILE, as the app's. */
  cwd: string;
  /** Send the guide's test message here when every step passed. */
  sendTo?: string;
}

/** The report's SMTP lines, and the probe steps each one covers. */
const STEP_CHECKS: readonly { id: string; steps: readonly SmtpStep[] }[] = [
  { id: 'smtp.connect', steps: ['connect'] },
  { id: 'smtp.ehlo', steps: ['greeting', 'ehlo'] },
  { id: 'smtp.tls', steps: ['tls'] },
  { id: 'smtp.auth', steps: ['auth'] },
  { id: 'smtp.mail-from', steps: ['mail-from'] },
];

/** Where an app EmailError belongs in the guide. */
const SECTION_OF_APP_CODE: Partial<Record<EmailErrorCode, GuideSectionId>> = {
  AUTH_FAILED: 'smtp-auth-failed',
  CONNECTION_TIMEOUT: 'smtp-connection-timeout',
  CONNECTION_REFUSED: 'smtp-connection-timeout',
  CONNECTION_FAILED: 'smtp-connection-timeout',
  TLS_FAILED: 'smtp-tls-failed',
};

type AppOutcome = { ok: true } | { ok: false; error: EmailError };

function appLine(outcome: AppOutcome): string {
  return outcome.ok
    ? "the app's email service (nodemailer) verified the same settings"
    : `the app's email service reports EmailError ${outcome.error.code}: ${outcome.error.detail}`;
}

async function sniff(
  settings: Settings['smtp'],
  probe: SmtpProbeResult,
  timeoutMs: number,
): Promise<PortFacts> {
  const f = probe.failure;
  if (!f) return {};
  if (f.step === 'greeting' && f.timedOut && !settings.useSsl) {
    return { speaksImplicitTls: await speaksImplicitTls(settings.host, settings.port, timeoutMs) };
  }
  if (f.step === 'tls' && settings.useSsl) {
    return { greetsInPlainText: await greetsInPlainText(settings.host, settings.port, timeoutMs) };
  }
  return {};
}

function passDetail(id: string, s: Settings['smtp'], p: SmtpProbeResult): Check {
  switch (id) {
    case 'smtp.connect':
      return passed(id, `connected to ${s.host}:${s.port} in ${p.connectMs} ms`);
    case 'smtp.ehlo': {
      const offered = p.extensionsBeforeTls ?? p.extensions;
      return passed(id, `greeting and EHLO answered; ${offered.length} extensions offered`, [
        `greeting: ${p.greeting}`,
        ...offered.map((e) => `offers ${e}`),
      ]);
    }
    case 'smtp.tls':
      return passed(
        id,
        `${s.useSsl ? 'implicit TLS (SSL)' : 'STARTTLS'}: ${p.tls?.protocol}, certificate verified${s.tlsCaFile ? ` (trusting SMTP_TLS_CA_FILE=${s.tlsCaFile})` : ''}`,
        [
          `certificate: ${p.tls?.subject}`,
          `issuer: ${p.tls?.issuer}`,
          `valid to: ${p.tls?.validTo}`,
          `names: ${p.tls?.altNames}`,
        ],
      );
    case 'smtp.auth':
      return passed(id, `AUTH ${p.authMechanism} as ${s.user} accepted`);
    default:
      return passed(id, `the server accepts MAIL FROM:<${s.fromEmail}>`);
  }
}

function tlsNotUsed(s: Settings['smtp'], p: SmtpProbeResult): Check {
  const offered = p.extensions.some((e) => /^STARTTLS$/i.test(e));
  if (offered && !isLocalHost(s.host)) {
    return {
      id: 'smtp.tls',
      status: 'warn',
      detail:
        'SMTP_USE_TLS=false: the server offers STARTTLS, but the app sends mail and the password unencrypted',
      cause: 'TLS is switched off in the settings',
      remedy: 'set SMTP_USE_TLS=true',
    };
  }
  return skipped('smtp.tls', 'SMTP_USE_TLS=false: the connection is not encrypted');
}

/** One check per group of probe steps; the failing one carries the diagnosis and the app's own verdict. */
function stepChecks(s: Settings['smtp'], probe: SmtpProbeResult, facts: PortFacts, app: AppOutcome): Check[] {
  const failure = probe.failure;
  return STEP_CHECKS.map(({ id, steps }) => {
    if (failure && steps.includes(failure.step)) {
      const diagnosis = diagnoseSmtpFailure(s, failure, facts);
      const lines = [
        ...(app.ok ? [] : [appLine(app)]),
        ...(diagnosis.lines ?? []),
        ...probe.transcript.slice(-6).map((l) => `  ${l}`),
      ];
      return failed(id, { ...diagnosis, lines, appCode: app.ok ? undefined : app.error.code });
    }
    if (steps.every((step) => probe.completed.includes(step))) return passDetail(id, s, probe);
    if (id === 'smtp.auth' && s.user === '')
      return skipped(id, 'SMTP_USER is empty: the app sends without AUTH');
    if (id === 'smtp.tls' && !s.useSsl && !s.useTls && probe.completed.includes('ehlo'))
      return tlsNotUsed(s, probe);
    return skipped(id, `not run: the ${failure?.step ?? 'previous'} step failed`);
  });
}

function appCheck(app: AppOutcome): Check {
  if (app.ok) return passed('smtp.app', appLine(app));
  const e = app.error;
  return failed('smtp.app', {
    detail: appLine(app),
    code: e.responseCode !== undefined ? String(e.responseCode) : undefined,
    appCode: e.code,
    cause: "the doctor's probe passed but the app's transport (nodemailer) did not",
    fix: e.remedy,
    section: SECTION_OF_APP_CODE[e.code],
  });
}

async function sendTest(settings: Settings['smtp'], options: SmtpCheckOptions, to: string): Promise<Check> {
  const service = createEmailService(settings, {
    timeouts: { connectionMs: options.timeoutMs, greetingMs: options.timeoutMs, socketMs: options.timeoutMs },
    retry: { attempts: 1 },
    logger: silentLogger,
    cwd: options.cwd,
  });
  try {
    const sent = await service.sendVerificationSubmitted(to, { teamName: 'Test Team' });
    const reply = sent.status === 'sent' ? `${sent.response} (message id ${sent.messageId})` : sent.reason;
    return {
      ...passed('smtp.send', `test message "${sent.subject}" sent to ${to}`, [`server: ${reply}`]),
      guideStep: GUIDE_STEPS.smtpSend,
    };
  } catch (error) {
    const e = error instanceof EmailError ? error : new EmailError('UNKNOWN', String(error));
    return {
      ...failed('smtp.send', {
        detail: `sending to ${to} failed: EmailError ${e.code}: ${e.detail}`,
        code: e.responseCode !== undefined ? String(e.responseCode) : undefined,
        appCode: e.code,
        cause: e.message.split('. Remedy:')[0]!,
        fix: e.remedy,
        section: SECTION_OF_APP_CODE[e.code],
      }),
      guideStep: GUIDE_STEPS.smtpSend,
    };
  } finally {
    service.close();
  }
}

async function appVerify(settings: Settings['smtp'], options: SmtpCheckOptions): Promise<AppOutcome> {
  const service = createEmailService(settings, {
    timeouts: { connectionMs: options.timeoutMs, greetingMs: options.timeoutMs, socketMs: options.timeoutMs },
    retry: { attempts: 1 },
    logger: silentLogger,
    cwd: options.cwd,
  });
  try {
    await service.verify();
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      error: error instanceof EmailError ? error : new EmailError('UNKNOWN', String(error)),
    };
  } finally {
    service.close();
  }
}

export async function checkSmtp(settings: Settings, options: SmtpCheckOptions): Promise<Check[]> {
  const s = settings.smtp;
  if (!s.enabled) {
    const off = skipped('smtp', 'SMTP_ENABLED=false: the app logs each email instead of sending it');
    return options.sendTo ? [off, skipped('smtp.send', 'SMTP_ENABLED=false: nothing is sent')] : [off];
  }
  let ca: string[] | undefined;
  try {
    ca = smtpTransportOptions(s, {}, options.cwd).tls?.ca as string[] | undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [
      failed('smtp.tls', {
        detail: error.issues.map((i) => `${i.variable}: expected ${i.expected}`).join('; '),
        code: error.code,
        appCode: error.code,
        cause: `the app cannot read the CA file it is told to trust, so it cannot start its email service${
          /(^|[\\/])\.stack[\\/]/.test(s.tlsCaFile ?? '')
            ? ' (the dev stack writes it when it starts: is `npm run dev:stack` running?)'
            : ''
        }`,
        fix: 'point SMTP_TLS_CA_FILE at a readable PEM certificate (the dev stack writes .stack/ca/ca.pem), or unset it',
        section: 'smtp-tls-failed',
      }),
    ];
  }
  const [probe, app] = await Promise.all([
    probeSmtp({
      host: s.host,
      port: s.port,
      security: smtpSecurity(s),
      ca,
      auth: s.user ? { user: s.user, pass: s.password } : undefined,
      mailFrom: s.fromEmail,
      timeoutMs: options.timeoutMs,
    }),
    appVerify(s, options),
  ]);
  const facts = await sniff(s, probe, options.timeoutMs);
  const checks = stepChecks(s, probe, facts, app);
  if (!probe.failure) checks.push(appCheck(app));
  if (options.sendTo) {
    checks.push(
      probe.failure || !app.ok
        ? skipped('smtp.send', 'not sent: the connection checks above failed')
        : await sendTest(s, options, options.sendTo),
    );
  }
  return checks;
}
