// The whole examination of one app env: settings first (nothing else runs on settings the app
// would refuse), then SMTP and S3 side by side.
import type { Env } from '../../src/config/index.ts';
import type { Check } from './check.ts';
import { checkS3 } from './s3-check.ts';
import { checkSettings } from './settings-check.ts';
import { checkSmtp } from './smtp-check.ts';

export interface DiagnoseOptions {
  /** Where the env came from, for the report (a file path or "the environment"). */
  source: string;
  /** Bound on each network wait. @default 10000 */
  timeoutMs?: number;
  /** Base for relative paths in the env (SMTP_TLS_CA_FILE), as the app's working directory. @default process.cwd() */
  cwd?: string;
  /** Send the guide's test message here. @default undefined (nothing is sent) */
  sendTo?: string;
}

export interface DoctorReport {
  ok: boolean;
  source: string;
  checks: Check[];
}

/** @default 10 s per network wait, as the app's own SMTP connection and greeting timeouts */
export const DEFAULT_TIMEOUT_MS = 10_000;

export async function diagnose(env: Env, options: DiagnoseOptions): Promise<DoctorReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cwd = options.cwd ?? process.cwd();
  const settings = checkSettings(env, options.source);
  const checks = [...settings.checks];
  if (settings.settings) {
    const [smtp, s3] = await Promise.all([
      checkSmtp(settings.settings, { timeoutMs, cwd, sendTo: options.sendTo }),
      checkS3(settings.settings, { timeoutMs }),
    ]);
    checks.push(...smtp, ...s3);
  } else {
    checks.push({ id: 'smtp', status: 'skip', detail: 'not run: fix the settings first' });
    checks.push({ id: 's3', status: 'skip', detail: 'not run: fix the settings first' });
  }
  return { ok: checks.every((c) => c.status !== 'fail'), source: options.source, checks };
}
