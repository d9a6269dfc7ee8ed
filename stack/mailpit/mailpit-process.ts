// Runs Mailpit (built from source by `npm run stack:install-minio -- --with-mailpit`) as a
// supervised child process: SMTP and HTTP on loopback only, no network at all (no version
// check, no reverse DNS, no relay, POP3 off), its database in a directory of the caller's.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startSupervisedProcess } from '../util/supervised-process.ts';

export interface MailpitProcessOptions {
  binary: string;
  /** Where `mailpit.db` goes; the caller owns (and removes) it. */
  dataDir: string;
  /** @default '127.0.0.1' */
  host?: string;
  /** Mailpit takes addresses, not port 0: pick free ports first (see freePort). */
  smtpPort: number;
  httpPort: number;
  /** Mailpit prunes beyond this many messages; 0 keeps all. @default 500 (Mailpit's own) */
  maxMessages?: number;
  /** How long to wait for /livez. @default 15000 */
  readyTimeoutMs?: number;
}

export interface MailpitProcess extends AsyncDisposable {
  /** Base URL of the web UI and /api/v1. */
  apiUrl: string;
  smtpHost: string;
  smtpPort: number;
  /** The supervising wrapper's pid (Mailpit is its only child). */
  pid: number | undefined;
  /** Last lines Mailpit printed (errors only: it runs with --quiet). */
  output(): string;
  stop(): Promise<void>;
}

/** Loopback-only, network-free command line. */
export function mailpitArgs(options: MailpitProcessOptions): string[] {
  const host = options.host ?? '127.0.0.1';
  const at = (port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return [
    '--smtp',
    at(options.smtpPort),
    '--listen',
    at(options.httpPort),
    '--database',
    join(options.dataDir, 'mailpit.db'),
    '--disable-version-check',
    '--smtp-disable-rdns',
    '--quiet',
    ...(options.maxMessages === undefined ? [] : ['--max', String(options.maxMessages)]),
  ];
}

export async function startMailpitProcess(options: MailpitProcessOptions): Promise<MailpitProcess> {
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.dataDir, { recursive: true });
  const apiUrl = `http://${host.includes(':') ? `[${host}]` : host}:${options.httpPort}`;
  const proc = await startSupervisedProcess({
    what: 'Mailpit',
    command: options.binary,
    args: mailpitArgs(options),
    // Mailpit reads MP_* variables as flags: give it none of ours.
    env: { PATH: '/usr/bin:/bin', HOME: options.dataDir, TZ: process.env.TZ },
    extendEnv: false,
    readyUrl: `${apiUrl}/livez`,
    readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
    stopTimeoutMs: 5_000,
  });
  return {
    apiUrl,
    smtpHost: host,
    smtpPort: options.smtpPort,
    pid: proc.pid,
    output: proc.output,
    stop: proc.stop,
    [Symbol.asyncDispose]: proc.stop,
  };
}
