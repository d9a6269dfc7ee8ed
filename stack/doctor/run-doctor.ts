// `npm run doctor`: checks the configuration the app would run with, against the dev stack or
// the real providers alike. In-process (argv, env, io) → exit code, so tests need not spawn.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import type { Env } from '../../src/config/index.ts';
import { DEFAULT_TIMEOUT_MS, diagnose } from './diagnose.ts';
import { formatHuman, formatJson } from './format.ts';

export const USAGE = `Usage: npm run doctor -- [options]

Checks the app's S3 and SMTP configuration the way the app uses it: every variable, the SMTP
conversation step by step (connect, EHLO, TLS, AUTH), the bucket and a probe object (always
removed). Each failure names its entry in the setup guide's troubleshooting section (문제 해결).

  --app-env PATH        the app's env file (default: .env.local)
  --from-environment    use this process's environment instead of a file
  --send-to ADDRESS     also send the guide's test message (verification submitted) there
  --json                print one JSON document (for CI)
  --lang ko             print the guide's Korean wording too (JSON always carries it)
  --timeout MS          bound on each network wait (default: ${DEFAULT_TIMEOUT_MS})
  -h, --help            this text

Exit code: 0 when no check failed (warnings allowed), 1 when one did, 2 for a usage error.`;

export interface DoctorIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Where a relative --app-env and SMTP_TLS_CA_FILE resolve. @default process.cwd() */
  cwd?: string;
}

/** @default '.env.local' */
export const DEFAULT_ENV_FILE = '.env.local';

class UsageError extends Error {}

interface DoctorArgs {
  envFile?: string;
  fromEnvironment: boolean;
  sendTo?: string;
  json: boolean;
  lang: 'en' | 'ko';
  timeoutMs: number;
  help: boolean;
}

export function parseDoctorArgs(argv: string[]): DoctorArgs {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values['app-env'] !== undefined && values['from-environment']) {
    throw new UsageError('--app-env and --from-environment exclude each other');
  }
  const lang = values.lang ?? 'en';
  if (lang !== 'en' && lang !== 'ko')
    throw new UsageError(`--lang takes en or ko, not ${JSON.stringify(lang)}`);
  const timeoutMs = values.timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new UsageError(
      `--timeout takes a whole number of milliseconds, not ${JSON.stringify(values.timeout)}`,
    );
  }
  return {
    envFile: values['app-env'],
    fromEnvironment: values['from-environment'] ?? false,
    sendTo: values['send-to'],
    json: values.json ?? false,
    lang,
    timeoutMs,
    help: values.help ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'app-env': { type: 'string' },
      'from-environment': { type: 'boolean' },
      'send-to': { type: 'string' },
      json: { type: 'boolean' },
      lang: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function readAppEnv(path: string): Env {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(
      `cannot read the env file ${path} (${code}); pass --app-env PATH or --from-environment`,
    );
  }
  return parseEnv(text);
}

/** Runs the doctor; returns the exit code (0 all passed, 1 a check failed, 2 usage error). */
export async function runDoctor(argv: string[], env: Env, io: DoctorIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  let args: DoctorArgs;
  let appEnv: Env;
  let source: string;
  try {
    args = parseDoctorArgs(argv);
    if (args.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (args.fromEnvironment) {
      appEnv = env;
      source = 'the environment';
    } else {
      const path = resolve(cwd, args.envFile ?? DEFAULT_ENV_FILE);
      appEnv = readAppEnv(path);
      source = path;
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`doctor: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const report = await diagnose(appEnv, { source, timeoutMs: args.timeoutMs, cwd, sendTo: args.sendTo });
  const exitCode = report.ok ? 0 : 1;
  io.stdout(args.json ? formatJson(report, exitCode) : formatHuman(report, { lang: args.lang }));
  return exitCode;
}
