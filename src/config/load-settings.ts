import { ConfigError } from './config-error.ts';
import { type Env, EnvReader } from './env-reader.ts';
import { readDkim } from './read-dkim.ts';
import { printAs, redactSettings } from './redact.ts';
import {
  DEFAULTS,
  IMPLICIT_TLS_PORT,
  type S3Settings,
  type S3Sse,
  type Settings,
  type SmtpSettings,
  type StorageSettings,
} from './settings.ts';

const EMAIL_FORM = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;
// S3's bucket naming rules: 3-63 chars of lowercase letters, digits, dots and hyphens, starting and
// ending alphanumeric, no "..", not shaped like an IPv4 address.
const BUCKET_FORM = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION_FORM = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function readSmtp(env: EnvReader): SmtpSettings {
  const enabled = env.boolean('SMTP_ENABLED', DEFAULTS.SMTP_ENABLED);
  const port = env.integer('SMTP_PORT', DEFAULTS.SMTP_PORT, 1, 65_535, 'an integer port between 1 and 65535');
  const useTls = env.boolean('SMTP_USE_TLS', DEFAULTS.SMTP_USE_TLS);
  const useSsl = env.boolean('SMTP_USE_SSL', port === IMPLICIT_TLS_PORT);
  const host = env.string('SMTP_HOST', DEFAULTS.SMTP_HOST).trim();
  const user = env.string('SMTP_USER', DEFAULTS.SMTP_USER);
  const password = env.string('SMTP_PASSWORD', DEFAULTS.SMTP_PASSWORD);
  const fromEmail = env.string('SMTP_FROM_EMAIL', DEFAULTS.SMTP_FROM_EMAIL).trim();
  const fromName = env.string('SMTP_FROM_NAME', DEFAULTS.SMTP_FROM_NAME);
  const tlsCaFile = env.optionalString('SMTP_TLS_CA_FILE');

  if (!EMAIL_FORM.test(fromEmail))
    env.report('SMTP_FROM_EMAIL', 'an email address such as noreply@focusmate.com');
  if (/[\r\n\0]/.test(fromName))
    env.report('SMTP_FROM_NAME', 'a display name on one line (no CR, LF or NUL)');
  if (env.raw('SMTP_TLS_CA_FILE') !== undefined && tlsCaFile === undefined) {
    env.report('SMTP_TLS_CA_FILE', 'a path to a PEM file, or the variable left unset');
  }
  if (enabled) {
    if (host === '') env.report('SMTP_HOST', 'a host name or IP address when SMTP_ENABLED=true');
    if (user !== '' && password === '') {
      env.report('SMTP_PASSWORD', `a password when SMTP_USER is set (SMTP_USER=${JSON.stringify(user)})`);
    }
    if (user === '' && password !== '') env.report('SMTP_USER', 'a user name when SMTP_PASSWORD is set');
  }
  if (useSsl && !useTls && env.raw('SMTP_USE_TLS') !== undefined) {
    // Implicit TLS (465, or SMTP_USE_SSL=true) is TLS from the first byte; "no TLS" contradicts it.
    const why =
      env.raw('SMTP_USE_SSL') === undefined ? 'SMTP_PORT=465, which is' : 'SMTP_USE_SSL=true, which is';
    env.report('SMTP_USE_TLS', `true (or unset) with ${why} implicit TLS (SSL)`);
  }
  const dkim = readDkim(env);
  return { enabled, host, port, user, password, fromEmail, fromName, useTls, useSsl, tlsCaFile, dkim };
}

function readEndpoint(env: EnvReader): string | undefined {
  const raw = env.raw('AWS_ENDPOINT_URL_S3');
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    env.report('AWS_ENDPOINT_URL_S3', 'an http(s) URL such as http://127.0.0.1:9000 (no query or fragment)');
    return undefined;
  }
  return raw.trim().replace(/\/+$/, '');
}

// A KMS key as S3 takes it: key id, multi-Region key id, key ARN, alias name or alias ARN.
const KMS_KEY_FORM =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[\w/-]+|arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/[\w-]+|alias\/[\w/-]+))$/i;

function readSse(env: EnvReader): Pick<S3Settings, 'sse' | 'sseKmsKeyId'> {
  const raw = env.optionalString('AWS_S3_SSE')?.trim();
  let sse: S3Sse | undefined;
  if (raw !== undefined) {
    if (raw.toUpperCase() === 'AES256') sse = 'AES256';
    else if (raw.toLowerCase() === 'aws:kms') sse = 'aws:kms';
    else env.report('AWS_S3_SSE', 'AES256 (SSE-S3) or aws:kms (SSE-KMS)');
  }
  const sseKmsKeyId = env.optionalString('AWS_S3_SSE_KMS_KEY_ID')?.trim();
  if (sseKmsKeyId !== undefined) {
    if (sse !== 'aws:kms') env.report('AWS_S3_SSE_KMS_KEY_ID', 'to be set only with AWS_S3_SSE=aws:kms');
    else if (!KMS_KEY_FORM.test(sseKmsKeyId))
      env.report('AWS_S3_SSE_KMS_KEY_ID', 'a KMS key id, key ARN, alias/<name> or alias ARN');
  }
  return { sse, sseKmsKeyId };
}

function readS3(env: EnvReader, required: boolean): S3Settings {
  const accessKeyId = env.string('AWS_ACCESS_KEY_ID', DEFAULTS.AWS_ACCESS_KEY_ID).trim();
  const secretAccessKey = env.string('AWS_SECRET_ACCESS_KEY', DEFAULTS.AWS_SECRET_ACCESS_KEY).trim();
  const bucket = env.string('AWS_S3_BUCKET', DEFAULTS.AWS_S3_BUCKET).trim();
  const region = env.string('AWS_S3_REGION', DEFAULTS.AWS_S3_REGION).trim();
  const endpoint = readEndpoint(env);
  if (required) {
    if (accessKeyId === '') env.report('AWS_ACCESS_KEY_ID', 'an access key ID when STORAGE_TYPE=s3');
    if (secretAccessKey === '')
      env.report('AWS_SECRET_ACCESS_KEY', 'a secret access key when STORAGE_TYPE=s3');
    if (bucket === '') env.report('AWS_S3_BUCKET', 'a bucket name when STORAGE_TYPE=s3');
  }
  if (
    bucket !== '' &&
    (!BUCKET_FORM.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket))
  ) {
    env.report('AWS_S3_BUCKET', 'an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens');
  }
  if (!REGION_FORM.test(region)) env.report('AWS_S3_REGION', 'an AWS region such as us-east-1');
  return {
    accessKeyId,
    secretAccessKey,
    bucket,
    region,
    endpoint,
    forcePathStyle: endpoint !== undefined,
    ...readSse(env),
  };
}

function readStorage(env: EnvReader): StorageSettings {
  const type = env.oneOf('STORAGE_TYPE', DEFAULTS.STORAGE_TYPE, ['local', 's3']);
  const localPath = env.string('STORAGE_LOCAL_PATH', DEFAULTS.STORAGE_LOCAL_PATH);
  const maxFileSize = env.integer(
    'STORAGE_MAX_FILE_SIZE',
    DEFAULTS.STORAGE_MAX_FILE_SIZE,
    1,
    Number.MAX_SAFE_INTEGER,
    'a positive whole number of bytes, such as 10485760 (10 MB)',
  );
  if (type === 'local' && localPath.trim() === '') {
    env.report('STORAGE_LOCAL_PATH', 'a directory path when STORAGE_TYPE=local');
  }
  if (/\0/.test(localPath)) env.report('STORAGE_LOCAL_PATH', 'a directory path without NUL characters');
  return { type, localPath, maxFileSize, s3: readS3(env, type === 's3') };
}

function readPublicBaseUrl(env: EnvReader): string {
  const raw = env.string('APP_PUBLIC_BASE_URL', DEFAULTS.APP_PUBLIC_BASE_URL).trim();
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {}
  env.report('APP_PUBLIC_BASE_URL', 'an http(s) URL such as https://focusmate.example');
  return DEFAULTS.APP_PUBLIC_BASE_URL;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}

/**
 * Resolves the app's settings from an env object (the caller passes `process.env` or its own),
 * applying the guide's defaults and validating everything in one pass.
 * @throws ConfigError listing every invalid or missing variable.
 */
export function loadSettings(env: Env): Settings {
  const reader = new EnvReader(env);
  const settings: Settings = {
    smtp: readSmtp(reader),
    storage: readStorage(reader),
    app: { publicBaseUrl: readPublicBaseUrl(reader) },
  };
  if (reader.issues.length > 0) throw new ConfigError(reader.issues);
  printAs(settings, () => redactSettings(settings));
  printAs(settings.smtp, () => redactSettings(settings).smtp);
  if (settings.smtp.dkim) printAs(settings.smtp.dkim, () => redactSettings(settings).smtp.dkim);
  printAs(settings.storage, () => redactSettings(settings).storage);
  printAs(settings.storage.s3, () => redactSettings(settings).storage.s3);
  return deepFreeze(settings);
}
