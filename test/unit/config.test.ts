import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULTS,
  loadSettings,
  redactSettings,
  SETTINGS_VARIABLES,
} from '../../src/config/index.ts';

function issuesOf(env: Record<string, string | undefined>) {
  try {
    loadSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

const S3_ENV = {
  STORAGE_TYPE: 's3',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'super-secret-key',
  AWS_S3_BUCKET: 'focusmate-uploads',
};

describe('loadSettings defaults', () => {
  it('applies the guide defaults to an empty env', () => {
    const s = loadSettings({});
    expect(s.smtp).toEqual({
      enabled: false,
      host: 'smtp.gmail.com',
      port: 587,
      user: '',
      password: '',
      fromEmail: 'noreply@focusmate.com',
      fromName: 'Focus Mate',
      useTls: true,
      useSsl: false,
      tlsCaFile: undefined,
    });
    expect(s.storage).toEqual({
      type: 'local',
      localPath: './uploads',
      maxFileSize: 10_485_760,
      s3: {
        accessKeyId: '',
        secretAccessKey: '',
        bucket: '',
        region: 'us-east-1',
        endpoint: undefined,
        forcePathStyle: false,
      },
    });
    expect(s.app.publicBaseUrl).toBe('http://localhost:3000');
    expect(DEFAULTS.STORAGE_MAX_FILE_SIZE).toBe(10_485_760);
  });

  it('reads every variable', () => {
    const s = loadSettings({
      SMTP_ENABLED: 'yes',
      SMTP_HOST: 'mail.example.com',
      SMTP_PORT: '2525',
      SMTP_USER: 'u@example.com',
      SMTP_PASSWORD: 'p@ss "quoted"',
      SMTP_FROM_EMAIL: 'team@example.com',
      SMTP_FROM_NAME: '포커스 메이트',
      SMTP_USE_TLS: '0',
      SMTP_USE_SSL: 'no',
      SMTP_TLS_CA_FILE: '.stack/ca/ca.pem',
      ...S3_ENV,
      AWS_S3_REGION: 'ap-northeast-2',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000/',
      STORAGE_LOCAL_PATH: '/var/uploads',
      STORAGE_MAX_FILE_SIZE: '2048',
      APP_PUBLIC_BASE_URL: 'https://focusmate.example/',
    });
    expect(s.smtp).toEqual({
      enabled: true,
      host: 'mail.example.com',
      port: 2525,
      user: 'u@example.com',
      password: 'p@ss "quoted"',
      fromEmail: 'team@example.com',
      fromName: '포커스 메이트',
      useTls: false,
      useSsl: false,
      tlsCaFile: '.stack/ca/ca.pem',
    });
    expect(s.storage).toEqual({
      type: 's3',
      localPath: '/var/uploads',
      maxFileSize: 2048,
      s3: {
        accessKeyId: 'AKIAEXAMPLE',
        secretAccessKey: 'super-secret-key',
        bucket: 'focusmate-uploads',
        region: 'ap-northeast-2',
        endpoint: 'http://127.0.0.1:9000',
        forcePathStyle: true,
      },
    });
    expect(s.app.publicBaseUrl).toBe('https://focusmate.example');
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    [' Yes ', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['NO', false],
  ])('SMTP_ENABLED=%j is %s', (value, expected) => {
    expect(loadSettings({ SMTP_ENABLED: value }).smtp.enabled).toBe(expected);
  });

  it('uses implicit TLS (SSL) on port 465 unless SMTP_USE_SSL says otherwise', () => {
    expect(loadSettings({ SMTP_PORT: '465' }).smtp.useSsl).toBe(true);
    expect(loadSettings({ SMTP_PORT: '587' }).smtp.useSsl).toBe(false);
    expect(loadSettings({ SMTP_PORT: '1465', SMTP_USE_SSL: 'true' }).smtp.useSsl).toBe(true);
    expect(loadSettings({ SMTP_PORT: '465', SMTP_USE_SSL: 'false' }).smtp.useSsl).toBe(false);
    expect(loadSettings({ SMTP_PORT: '465', SMTP_USE_SSL: 'false', SMTP_USE_TLS: 'false' }).smtp.useTls).toBe(
      false,
    );
  });

  it('uses path-style addressing only with an endpoint override', () => {
    expect(loadSettings(S3_ENV).storage.s3.forcePathStyle).toBe(false);
    expect(
      loadSettings({ ...S3_ENV, AWS_ENDPOINT_URL_S3: 'https://s3.local:9000' }).storage.s3,
    ).toMatchObject({
      endpoint: 'https://s3.local:9000',
      forcePathStyle: true,
    });
  });

  it('resolves a frozen object', () => {
    const s = loadSettings({});
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.smtp)).toBe(true);
    expect(Object.isFrozen(s.storage.s3)).toBe(true);
    expect(() => {
      (s.smtp as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('lists every variable it reads', () => {
    expect(SETTINGS_VARIABLES).toContain('AWS_ENDPOINT_URL_S3');
    expect(SETTINGS_VARIABLES).toContain('SMTP_TLS_CA_FILE');
    expect(SETTINGS_VARIABLES).toHaveLength(25);
  });
});

describe('loadSettings validation', () => {
  it.each([
    [{ SMTP_PORT: 'abc' }, 'SMTP_PORT', 'abc', 'integer port between 1 and 65535'],
    [{ SMTP_PORT: '0' }, 'SMTP_PORT', '0', 'between 1 and 65535'],
    [{ SMTP_PORT: '65536' }, 'SMTP_PORT', '65536', 'between 1 and 65535'],
    [{ SMTP_PORT: '587.5' }, 'SMTP_PORT', '587.5', 'integer port'],
    [{ SMTP_PORT: '' }, 'SMTP_PORT', '', 'integer port'],
    [{ SMTP_ENABLED: 'maybe' }, 'SMTP_ENABLED', 'maybe', 'true/false, 1/0 or yes/no'],
    [{ SMTP_USE_TLS: 'on' }, 'SMTP_USE_TLS', 'on', 'true/false, 1/0 or yes/no'],
    [{ STORAGE_TYPE: 'ftp' }, 'STORAGE_TYPE', 'ftp', 'one of "local", "s3"'],
    [{ STORAGE_MAX_FILE_SIZE: '-1' }, 'STORAGE_MAX_FILE_SIZE', '-1', 'positive whole number of bytes'],
    [{ STORAGE_MAX_FILE_SIZE: '1.5' }, 'STORAGE_MAX_FILE_SIZE', '1.5', 'positive whole number of bytes'],
    [{ STORAGE_MAX_FILE_SIZE: '10MB' }, 'STORAGE_MAX_FILE_SIZE', '10MB', 'positive whole number of bytes'],
    [{ STORAGE_MAX_FILE_SIZE: '0' }, 'STORAGE_MAX_FILE_SIZE', '0', 'positive whole number of bytes'],
    [{ SMTP_FROM_EMAIL: 'not-an-email' }, 'SMTP_FROM_EMAIL', 'not-an-email', 'an email address'],
    [{ SMTP_FROM_NAME: 'Focus\r\nBcc: x@y.z' }, 'SMTP_FROM_NAME', 'Focus\r\nBcc: x@y.z', 'on one line'],
    [
      { SMTP_ENABLED: 'true', SMTP_HOST: '' },
      'SMTP_HOST',
      '',
      'host name or IP address when SMTP_ENABLED=true',
    ],
    [
      { SMTP_ENABLED: 'true', SMTP_USER: 'me' },
      'SMTP_PASSWORD',
      undefined,
      'a password when SMTP_USER is set',
    ],
    [
      { SMTP_ENABLED: 'true', SMTP_PASSWORD: 'pw' },
      'SMTP_USER',
      undefined,
      'a user name when SMTP_PASSWORD is set',
    ],
    [
      { SMTP_PORT: '465', SMTP_USE_TLS: 'false' },
      'SMTP_USE_TLS',
      'false',
      'SMTP_PORT=465, which is implicit TLS',
    ],
    [{ SMTP_USE_SSL: 'true', SMTP_USE_TLS: 'false' }, 'SMTP_USE_TLS', 'false', 'SMTP_USE_SSL=true, which is'],
    [{ SMTP_USE_SSL: 'sometimes' }, 'SMTP_USE_SSL', 'sometimes', 'true/false, 1/0 or yes/no'],
    [{ SMTP_TLS_CA_FILE: ' ' }, 'SMTP_TLS_CA_FILE', ' ', 'a path to a PEM file'],
    [{ ...S3_ENV, AWS_S3_BUCKET: '' }, 'AWS_S3_BUCKET', '', 'a bucket name when STORAGE_TYPE=s3'],
    [{ ...S3_ENV, AWS_S3_BUCKET: 'Bad_Bucket' }, 'AWS_S3_BUCKET', 'Bad_Bucket', 'an S3 bucket name'],
    [{ ...S3_ENV, AWS_ACCESS_KEY_ID: undefined }, 'AWS_ACCESS_KEY_ID', undefined, 'when STORAGE_TYPE=s3'],
    [{ ...S3_ENV, AWS_S3_REGION: 'US East' }, 'AWS_S3_REGION', 'US East', 'an AWS region such as us-east-1'],
    [{ AWS_ENDPOINT_URL_S3: 'localhost:9000' }, 'AWS_ENDPOINT_URL_S3', 'localhost:9000', 'an http(s) URL'],
    [{ AWS_ENDPOINT_URL_S3: 'ftp://h' }, 'AWS_ENDPOINT_URL_S3', 'ftp://h', 'an http(s) URL'],
    [{ STORAGE_LOCAL_PATH: '' }, 'STORAGE_LOCAL_PATH', '', 'a directory path when STORAGE_TYPE=local'],
    [{ APP_PUBLIC_BASE_URL: 'focusmate' }, 'APP_PUBLIC_BASE_URL', 'focusmate', 'an http(s) URL'],
  ])('%j is refused, naming %s', (env, variable, value, expected) => {
    const error = issuesOf(env);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toEqual([{ variable, value, expected: expect.stringContaining(expected) }]);
    expect(error.message).toContain(`${variable}=`);
    expect(error.message).toContain(expected);
    if (value !== undefined) expect(error.message).toContain(JSON.stringify(value));
  });

  it('STORAGE_TYPE=s3 without bucket or keys names all three, never the secret', () => {
    const error = issuesOf({ STORAGE_TYPE: 's3' });
    expect(error.issues.map((i) => i.variable)).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_S3_BUCKET',
    ]);
  });

  it('collects every problem into one error', () => {
    const error = issuesOf({
      SMTP_PORT: 'abc',
      STORAGE_TYPE: 'ftp',
      STORAGE_MAX_FILE_SIZE: '-5',
      SMTP_USE_TLS: 'perhaps',
    });
    expect(error.issues.map((i) => i.variable).sort()).toEqual([
      'SMTP_PORT',
      'SMTP_USE_TLS',
      'STORAGE_MAX_FILE_SIZE',
      'STORAGE_TYPE',
    ]);
    expect(error.message).toMatch(/^Invalid configuration \(4 problems\):/);
  });

  it('does not require S3 variables for local storage, nor SMTP credentials when SMTP is off', () => {
    expect(() => loadSettings({ STORAGE_TYPE: 'local', SMTP_ENABLED: 'false', SMTP_HOST: '' })).not.toThrow();
  });

  it('never puts a secret value into an error', () => {
    const error = issuesOf({ SMTP_ENABLED: 'true', SMTP_PASSWORD: 'hunter2', SMTP_PORT: 'x' });
    expect(error.message).not.toContain('hunter2');
  });
});

describe('redaction', () => {
  const settings = loadSettings({
    SMTP_ENABLED: 'true',
    SMTP_USER: 'dev@focusmate.local',
    SMTP_PASSWORD: 'local-app-password',
    ...S3_ENV,
  });
  const secrets = ['local-app-password', 'super-secret-key'];

  it.each([
    ['JSON.stringify', () => JSON.stringify(settings)],
    ['util.inspect', () => inspect(settings, { depth: 5 })],
    ['template literal of inspect of the smtp part', () => `${inspect(settings.smtp)}`],
    ['JSON of the s3 part', () => JSON.stringify(settings.storage.s3)],
    ['JSON of the storage part', () => JSON.stringify(settings.storage)],
    ['redactSettings', () => JSON.stringify(redactSettings(settings))],
  ])('%s hides the secrets', (_name, print) => {
    const text = print();
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain('<redacted>');
    expect(text).not.toContain('toJSON');
  });

  it('keeps non-secret values visible and the real values usable', () => {
    expect(JSON.stringify(settings)).toContain('dev@focusmate.local');
    expect(settings.smtp.password).toBe('local-app-password');
    expect(settings.storage.s3.secretAccessKey).toBe('super-secret-key');
    expect(redactSettings(loadSettings({})).smtp.password).toBe('');
  });
});

describe('the committed .env.local', () => {
  it('is a valid configuration: S3 path-style against the dev stack, SMTP with STARTTLS and the local CA', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../../.env.local', import.meta.url), 'utf8');
    const env = Object.fromEntries(
      text
        .split('\n')
        .filter((line) => /^[A-Z0-9_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const s = loadSettings(env);
    expect(s.storage.type).toBe('s3');
    expect(s.storage.s3.forcePathStyle).toBe(true);
    expect(s.smtp).toMatchObject({
      enabled: true,
      useTls: true,
      useSsl: false,
      tlsCaFile: '.stack/ca/ca.pem',
    });
  });
});
