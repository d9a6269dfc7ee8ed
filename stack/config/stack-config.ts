// The dev stack's own settings, resolved once: defaults, then STACK_* environment
// variables, then command-line flags. What to provision (bucket, user, SMTP AUTH) comes
// from the app's env file, so `.env.local` stays the single source of truth.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseCompactRule } from '../faults/compact.ts';
import { FaultError } from '../faults/errors.ts';
import { loadFaultFile } from '../faults/load-file.ts';
import { type StackFaultRule, validateStackRule } from '../faults/stack-faults.ts';
import { SMTP_PROFILES } from '../mail/profiles/index.ts';
import type { SmtpProfileName } from '../mail/profiles/types.ts';
import { StackConfigError } from './errors.ts';

export type Engine = 'embedded' | 'minio' | 'docker';
export type BucketPolicyChoice = 'default' | 'guide-public' | 'none';

export interface StackPorts {
  /** S3 API. @default 9000 (same as MinIO, so either engine fits `.env.local`) */
  s3: number;
  /** SMTP submission with STARTTLS. @default 1025 */
  smtp: number;
  /** SMTP with implicit TLS (the 465 style). @default 1465 */
  smtps: number;
  /** Console web UI and mail API. @default 8025 */
  console: number;
}

export interface StackConfig {
  /** Interface every listener binds to. @default '127.0.0.1' */
  host: string;
  ports: StackPorts;
  /** @default 'embedded' */
  engine: Engine;
  /** Where data survives restarts; null keeps everything in memory (--ephemeral). @default '.stack' */
  dataDir: string | null;
  /** Wipe the data directory before starting. @default false */
  reset: boolean;
  /** The app's env file the stack provisions from and serves. @default '.env.local' */
  envFile: string;
  /** The stack's root identity (harness and console), never the app's. */
  root: { accessKeyId: string; secretAccessKey: string };
  /** Which bucket policy to seed. @default 'default' (anonymous read of team profile images only) */
  bucketPolicy: BucketPolicyChoice;
  /** Refuse MAIL before STARTTLS on the submission port, as real providers do. @default true */
  requireStartTls: boolean;
  /** Answer SMTP like this provider (stack/mail/profiles). @default 'none' */
  smtpProfile: SmtpProfileName;
  /** Fault rules in force from the start: --faults FILE's, then each --fault's. @default [] */
  faults: StackFaultRule[];
  /** Bucket versioning on (--versioning). @default false */
  versioning: boolean;
  /** Lifecycle rules file to seed (--lifecycle); `true` for the stack's own. @default none */
  lifecycle?: true | string;
}

export const DEFAULT_PORTS: StackPorts = { s3: 9000, smtp: 1025, smtps: 1465, console: 8025 };
export const DEFAULT_ROOT = { accessKeyId: 'stackroot', secretAccessKey: 'stackroot-secret-key' };

const ENGINES: readonly Engine[] = ['embedded', 'minio', 'docker'];
const POLICIES: readonly BucketPolicyChoice[] = ['default', 'guide-public', 'none'];

/** Flags as parsed from the command line (all optional; strings until validated here). */
export interface StackFlags {
  host?: string;
  's3-port'?: string;
  'smtp-port'?: string;
  'smtps-port'?: string;
  'console-port'?: string;
  engine?: string;
  'data-dir'?: string;
  ephemeral?: boolean;
  reset?: boolean;
  'app-env'?: string;
  'bucket-policy'?: string;
  'allow-plain-smtp'?: boolean;
  'smtp-profile'?: string;
  /** Compact fault rules, one per --fault. */
  fault?: string[];
  /** A JSON file of fault rules. */
  faults?: string;
  versioning?: boolean;
  /** `default` or a JSON file of lifecycle rules. */
  lifecycle?: string;
}

/** --faults FILE then every --fault, as rule objects; a bad rule is a flag error. */
function faultRules(flags: StackFlags, env: NodeJS.ProcessEnv, cwd: string): StackFaultRule[] {
  const file = flags.faults ?? env.STACK_FAULTS_FILE;
  try {
    const rules = [
      ...(file ? loadFaultFile(resolve(cwd, file)) : []),
      ...(flags.fault ?? []).map((text) => parseCompactRule(text)),
    ];
    for (const rule of rules) validateStackRule(rule);
    return rules;
  } catch (err) {
    if (err instanceof FaultError) throw new StackConfigError('FLAG_INVALID', `fault rule: ${err.message}`);
    throw err;
  }
}

function port(value: string | undefined, fallback: number, source: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new StackConfigError(
      'FLAG_INVALID',
      `${source}=${value} is not a port: expected an integer 0-65535.`,
    );
  }
  return n;
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  source: string,
): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new StackConfigError(
      'FLAG_INVALID',
      `${source}=${value} is not valid: expected one of ${allowed.join(', ')}.`,
    );
  }
  return value as T;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/**
 * Resolves the stack's settings. `env` is the process environment (STACK_* variables);
 * `cwd` anchors relative paths. A non-loopback host is refused unless it came from an
 * explicit --host flag (the caller warns).
 */
export function resolveStackConfig(flags: StackFlags, env: NodeJS.ProcessEnv, cwd: string): StackConfig {
  const hostFlag = flags.host;
  const host = hostFlag ?? env.STACK_HOST ?? '127.0.0.1';
  if (!isLoopback(host) && hostFlag === undefined) {
    throw new StackConfigError(
      'HOST_NOT_LOOPBACK',
      `STACK_HOST=${host} is not a loopback address. The stack listens on 127.0.0.1 unless you pass --host ${host} explicitly.`,
    );
  }
  const ports: StackPorts = {
    s3: port(
      flags['s3-port'] ?? env.STACK_S3_PORT,
      DEFAULT_PORTS.s3,
      flags['s3-port'] ? '--s3-port' : 'STACK_S3_PORT',
    ),
    smtp: port(
      flags['smtp-port'] ?? env.STACK_SMTP_PORT,
      DEFAULT_PORTS.smtp,
      flags['smtp-port'] ? '--smtp-port' : 'STACK_SMTP_PORT',
    ),
    smtps: port(
      flags['smtps-port'] ?? env.STACK_SMTPS_PORT,
      DEFAULT_PORTS.smtps,
      flags['smtps-port'] ? '--smtps-port' : 'STACK_SMTPS_PORT',
    ),
    console: port(
      flags['console-port'] ?? env.STACK_CONSOLE_PORT,
      DEFAULT_PORTS.console,
      flags['console-port'] ? '--console-port' : 'STACK_CONSOLE_PORT',
    ),
  };
  const engine = oneOf(
    flags.engine ?? env.STACK_ENGINE,
    ENGINES,
    'embedded',
    flags.engine ? '--engine' : 'STACK_ENGINE',
  );
  const bucketPolicy = oneOf(
    flags['bucket-policy'] ?? env.STACK_BUCKET_POLICY,
    POLICIES,
    'default',
    flags['bucket-policy'] ? '--bucket-policy' : 'STACK_BUCKET_POLICY',
  );
  const ephemeral = flags.ephemeral ?? env.STACK_EPHEMERAL === 'true';
  const dataDir = ephemeral ? null : resolve(cwd, flags['data-dir'] ?? env.STACK_DATA_DIR ?? '.stack');
  return {
    host,
    ports,
    engine,
    dataDir,
    reset: flags.reset ?? false,
    envFile: resolve(cwd, flags['app-env'] ?? env.STACK_ENV_FILE ?? '.env.local'),
    root: {
      accessKeyId: env.STACK_ROOT_ACCESS_KEY_ID || DEFAULT_ROOT.accessKeyId,
      secretAccessKey: env.STACK_ROOT_SECRET_ACCESS_KEY || DEFAULT_ROOT.secretAccessKey,
    },
    bucketPolicy,
    requireStartTls: !(flags['allow-plain-smtp'] ?? env.STACK_ALLOW_PLAIN_SMTP === 'true'),
    smtpProfile: oneOf(
      flags['smtp-profile'] ?? env.STACK_SMTP_PROFILE,
      SMTP_PROFILES,
      'none',
      flags['smtp-profile'] ? '--smtp-profile' : 'STACK_SMTP_PROFILE',
    ),
    faults: faultRules(flags, env, cwd),
    versioning: flags.versioning ?? env.STACK_VERSIONING === 'true',
    lifecycle: lifecycleChoice(flags.lifecycle ?? env.STACK_LIFECYCLE_FILE, cwd),
  };
}

function lifecycleChoice(value: string | undefined, cwd: string): true | string | undefined {
  if (value === undefined || value === '') return undefined;
  return value === 'default' ? true : resolve(cwd, value);
}
