export { ConfigError, type ConfigIssue } from './config-error.ts';
export type { Env } from './env-reader.ts';
export { loadSettings } from './load-settings.ts';
export { REDACTED, redactSettings } from './redact.ts';
export {
  type AppSettings,
  DEFAULTS,
  IMPLICIT_TLS_PORT,
  type S3Settings,
  type S3Sse,
  SETTINGS_VARIABLES,
  type Settings,
  type SmtpSettings,
  type StorageSettings,
  type StorageType,
} from './settings.ts';
