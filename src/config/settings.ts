/** SMTP settings: the guide's `SMTP_*` variables plus `SMTP_TLS_CA_FILE`. */
export interface SmtpSettings {
  /** `SMTP_ENABLED` @default false */
  readonly enabled: boolean;
  /** `SMTP_HOST` @default 'smtp.gmail.com' */
  readonly host: string;
  /** `SMTP_PORT`: 465 means implicit TLS, anything else STARTTLS (or plain when useTls is false). @default 587 */
  readonly port: number;
  /** `SMTP_USER`: AUTH is used when non-empty. @default '' */
  readonly user: string;
  /** `SMTP_PASSWORD` (secret) @default '' */
  readonly password: string;
  /** `SMTP_FROM_EMAIL` @default 'noreply@focusmate.com' */
  readonly fromEmail: string;
  /** `SMTP_FROM_NAME` @default 'Focus Mate' */
  readonly fromName: string;
  /** `SMTP_USE_TLS`: on a port other than 465, STARTTLS is required when true and not attempted when false. @default true */
  readonly useTls: boolean;
  /**
   * `SMTP_USE_SSL`: implicit TLS from the first byte (SMTPS), as Django's EMAIL_USE_SSL. Unset, it is
   * true exactly when SMTP_PORT=465, the guide's "465: SSL"; set it for SMTPS on another port (the
   * dev stack's 1465). @default SMTP_PORT === 465
   */
  readonly useSsl: boolean;
  /** `SMTP_TLS_CA_FILE`: PEM file of an extra CA trusted for SMTP TLS, on top of the public roots. @default undefined */
  readonly tlsCaFile: string | undefined;
  /** DKIM signing of every message: set when `SMTP_DKIM_DOMAIN` is. @default undefined (unsigned) */
  readonly dkim: DkimSettings | undefined;
}

/** `SMTP_DKIM_*`: all of domain, selector and one key source, or none of them. */
export interface DkimSettings {
  /** `SMTP_DKIM_DOMAIN`: the d= of the signature; DMARC wants it to match the From domain. */
  readonly domain: string;
  /** `SMTP_DKIM_SELECTOR`: the public key is published at `<selector>._domainkey.<domain>`. */
  readonly selector: string;
  /** `SMTP_DKIM_PRIVATE_KEY` (secret): a PEM private key, `\n` escapes turned into newlines. */
  readonly privateKey: string | undefined;
  /** `SMTP_DKIM_PRIVATE_KEY_FILE`: a PEM private key file, read when the transport is built. */
  readonly privateKeyFile: string | undefined;
}

export type StorageType = 'local' | 's3';

export interface S3Settings {
  /** `AWS_ACCESS_KEY_ID` (required when STORAGE_TYPE=s3) @default '' */
  readonly accessKeyId: string;
  /** `AWS_SECRET_ACCESS_KEY` (secret, required when STORAGE_TYPE=s3) @default '' */
  readonly secretAccessKey: string;
  /** `AWS_S3_BUCKET` (required when STORAGE_TYPE=s3) @default '' */
  readonly bucket: string;
  /** `AWS_S3_REGION` @default 'us-east-1' */
  readonly region: string;
  /** `AWS_ENDPOINT_URL_S3`: the AWS SDK's endpoint override (an emulator, MinIO). @default undefined */
  readonly endpoint: string | undefined;
  /** Path-style addressing (`endpoint/bucket/key`): on exactly when an endpoint override is set. */
  readonly forcePathStyle: boolean;
  /**
   * `AWS_S3_SSE`: server-side encryption the app asks for on every upload (`AES256` = SSE-S3,
   * `aws:kms` = SSE-KMS), for buckets whose policy requires the header. @default undefined (the bucket default applies)
   */
  readonly sse: S3Sse | undefined;
  /** `AWS_S3_SSE_KMS_KEY_ID`: key id, key ARN or alias for aws:kms. @default undefined (S3 uses aws/s3) */
  readonly sseKmsKeyId: string | undefined;
}

export type S3Sse = 'AES256' | 'aws:kms';

export interface StorageSettings {
  /** `STORAGE_TYPE` @default 'local' */
  readonly type: StorageType;
  /** `STORAGE_LOCAL_PATH` @default './uploads' */
  readonly localPath: string;
  /** `STORAGE_MAX_FILE_SIZE` in bytes, enforced while streaming. @default 10485760 */
  readonly maxFileSize: number;
  readonly s3: S3Settings;
}

export interface AppSettings {
  /** `APP_PUBLIC_BASE_URL`: where users open the app; invitation accept links start with it. @default 'http://localhost:3000' */
  readonly publicBaseUrl: string;
}

/** The app's resolved, validated, frozen settings. Printing it (JSON or console) redacts secrets. */
export interface Settings {
  readonly smtp: SmtpSettings;
  readonly storage: StorageSettings;
  readonly app: AppSettings;
}

/** The SMTPS port: implicit TLS unless SMTP_USE_SSL says otherwise. */
export const IMPLICIT_TLS_PORT = 465;

export const DEFAULTS = Object.freeze({
  SMTP_ENABLED: false,
  SMTP_HOST: 'smtp.gmail.com',
  SMTP_PORT: 587,
  SMTP_USER: '',
  SMTP_PASSWORD: '',
  SMTP_FROM_EMAIL: 'noreply@focusmate.com',
  SMTP_FROM_NAME: 'Focus Mate',
  SMTP_USE_TLS: true,
  STORAGE_TYPE: 'local' as StorageType,
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_S3_BUCKET: '',
  AWS_S3_REGION: 'us-east-1',
  STORAGE_LOCAL_PATH: './uploads',
  STORAGE_MAX_FILE_SIZE: 10_485_760,
  APP_PUBLIC_BASE_URL: 'http://localhost:3000',
});

/** Every variable the settings read, in the order a README table lists them. */
export const SETTINGS_VARIABLES = Object.freeze([
  'SMTP_ENABLED',
  'SMTP_HOST',
  'SMTP_PORT',
  'SMTP_USER',
  'SMTP_PASSWORD',
  'SMTP_FROM_EMAIL',
  'SMTP_FROM_NAME',
  'SMTP_USE_TLS',
  'SMTP_USE_SSL',
  'SMTP_TLS_CA_FILE',
  'SMTP_DKIM_DOMAIN',
  'SMTP_DKIM_SELECTOR',
  'SMTP_DKIM_PRIVATE_KEY',
  'SMTP_DKIM_PRIVATE_KEY_FILE',
  'STORAGE_TYPE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_S3_BUCKET',
  'AWS_S3_REGION',
  'AWS_ENDPOINT_URL_S3',
  'AWS_S3_SSE',
  'AWS_S3_SSE_KMS_KEY_ID',
  'STORAGE_LOCAL_PATH',
  'STORAGE_MAX_FILE_SIZE',
  'APP_PUBLIC_BASE_URL',
] as const);
