// Unit tests, no sockets: the risky-combination warnings, the bucket-policy verdict on the
// stack's own policy files, and the guide quotes the doctor cites.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadSettings } from '../../src/config/index.ts';
import { readEnvFile } from '../../stack/config/env-file.ts';
import { GUIDE_SECTIONS } from '../../stack/doctor/guide-sections.ts';
import { policyExposure, policyExposureCheck } from '../../stack/doctor/policy-exposure.ts';
import { checkSettings } from '../../stack/doctor/settings-check.ts';
import { settingsWarnings } from '../../stack/doctor/warnings.ts';
import { REPO_ENV_FILE } from '../../stack/stack.ts';

const repoEnv = readEnvFile(REPO_ENV_FILE);

const SMTP = {
  SMTP_ENABLED: 'true',
  SMTP_HOST: 'smtp.gmail.com',
  SMTP_PORT: '587',
  SMTP_USER: 'dev@example.com',
  SMTP_PASSWORD: 'abcd efgh ijkl mnop',
  SMTP_USE_TLS: 'true',
};
const S3 = {
  STORAGE_TYPE: 's3',
  AWS_ACCESS_KEY_ID: 'AKIAFOCUSMATELOCAL01',
  AWS_SECRET_ACCESS_KEY: 'focusmateLocalSecretKey00000000000000000',
  AWS_S3_BUCKET: 'focusmate-uploads',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000',
};

function warningIds(env: Record<string, string>): string[] {
  return settingsWarnings(loadSettings(env)).map((w) => w.id);
}

describe('warnings for combinations that will fail', () => {
  test('none for the repository’s .env.local nor for the guide’s Gmail example with an app password', () => {
    expect(warningIds(repoEnv)).toEqual([]);
    expect(warningIds({ ...SMTP, ...S3 })).toEqual([]);
  });

  test('port 465 with SMTP_USE_SSL=false: STARTTLS expected on the SSL port', () => {
    const [w] = settingsWarnings(loadSettings({ ...SMTP, SMTP_PORT: '465', SMTP_USE_SSL: 'false' }));
    expect(w).toMatchObject({ id: 'settings.smtp-465-starttls', status: 'warn' });
    expect(w!.remedy).toContain('remove SMTP_USE_SSL');
    // 465 alone means SSL for the app: nothing to warn about.
    expect(warningIds({ ...SMTP, SMTP_PORT: '465' })).toEqual([]);
  });

  test('SMTP_USE_SSL=true on the STARTTLS port 587', () => {
    expect(warningIds({ ...SMTP, SMTP_USE_SSL: 'true' })).toEqual(['settings.smtp-ssl-on-starttls-port']);
  });

  test('port 587 with SMTP_USE_TLS=false on Gmail, SES and SendGrid (they require TLS)', () => {
    for (const host of ['smtp.gmail.com', 'email-smtp.ap-northeast-2.amazonaws.com', 'smtp.sendgrid.net']) {
      const user = host === 'smtp.sendgrid.net' ? 'apikey' : 'dev@example.com';
      expect(warningIds({ ...SMTP, SMTP_HOST: host, SMTP_USER: user, SMTP_USE_TLS: 'false' })).toContain(
        'settings.smtp-provider-requires-tls',
      );
    }
    // A private relay without TLS is the guide's "some services need SMTP_USE_TLS=false": only
    // the clear-text password is worth saying, and not on loopback.
    expect(warningIds({ ...SMTP, SMTP_HOST: 'relay.corp.example', SMTP_USE_TLS: 'false' })).toEqual([
      'settings.smtp-plaintext-auth',
    ]);
    expect(warningIds({ ...SMTP, SMTP_HOST: '127.0.0.1', SMTP_USE_TLS: 'false' })).toEqual([]);
  });

  test('a SendGrid host with a user other than apikey', () => {
    const env = { ...SMTP, SMTP_HOST: 'smtp.sendgrid.net', SMTP_PASSWORD: 'SG.xxxx' };
    expect(warningIds({ ...env, SMTP_USER: 'me@example.com' })).toEqual(['settings.sendgrid-user']);
    expect(warningIds({ ...env, SMTP_USER: 'apikey' })).toEqual([]);
  });

  test('Gmail with a password that is not a 16-letter app password, without printing it', () => {
    const env = { ...SMTP, SMTP_PASSWORD: 'MyGooglePassword!23' };
    const [w] = settingsWarnings(loadSettings(env));
    expect(w).toMatchObject({ id: 'settings.gmail-app-password' });
    expect(JSON.stringify(w)).not.toContain('MyGooglePassword');
    expect(warningIds({ ...SMTP, SMTP_PASSWORD: 'abcdefghijklmnop' })).toEqual([]);
  });

  test('AWS_ENDPOINT_URL_S3 pointing at production (*.amazonaws.com)', () => {
    const env = { ...S3, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' };
    expect(warningIds({ ...env, AWS_ENDPOINT_URL_S3: 'https://s3.us-east-1.amazonaws.com' })).toEqual([
      'settings.s3-endpoint-production',
    ]);
  });

  test('a local endpoint with keys that look like real AWS keys (AKIA + 16 base32 characters)', () => {
    const [w] = settingsWarnings(loadSettings({ ...S3, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' }));
    expect(w).toMatchObject({ id: 'settings.s3-real-keys-local-endpoint' });
    expect(w!.detail).toContain('AWS documentation example key');
    for (const endpoint of ['http://localhost:9000', 'http://minio:9000', 'http://192.168.0.10:9000']) {
      expect(
        warningIds({ ...S3, AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: 'AKIA2OGYBAH6STMJ5LXK' }),
      ).toEqual(['settings.s3-real-keys-local-endpoint']);
    }
  });

  test('the dev stack’s keys without its endpoint: they would go to AWS', () => {
    const { AWS_ENDPOINT_URL_S3: _, ...noEndpoint } = S3;
    expect(warningIds(noEndpoint)).toEqual(['settings.s3-local-keys-on-aws']);
  });

  test('no S3 warnings with STORAGE_TYPE=local, no SMTP warnings with SMTP_ENABLED=false', () => {
    expect(
      warningIds({
        ...SMTP,
        ...S3,
        SMTP_ENABLED: 'false',
        SMTP_USE_SSL: 'true',
        STORAGE_TYPE: 'local',
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      }),
    ).toEqual([]);
  });
});

describe('the bucket policy and verification documents', () => {
  const dir = fileURLToPath(new URL('../../stack/policies/', import.meta.url));

  test('the shipped bucket-policy.json keeps verifications/ and chat/ private (team profile images public)', async () => {
    const text = await readFile(`${dir}bucket-policy.json`, 'utf8');
    expect(policyExposure(text, 'focusmate-uploads')).toEqual({ exposed: [], isPublic: true });
    expect(policyExposureCheck(text, 'focusmate-uploads', 'file').status).toBe('pass');
  });

  test('the guide’s PublicReadGetObject policy makes them public', async () => {
    const text = await readFile(`${dir}bucket-policy-guide-public.json`, 'utf8');
    const check = policyExposureCheck(text, 'focusmate-uploads', 'file');
    expect(check).toMatchObject({ id: 's3.public-read', status: 'warn' });
    expect(check.detail).toContain('verifications and chat objects');
    expect(check.lines?.[0]).toMatch(
      /^anonymous GET s3:\/\/focusmate-uploads\/verifications\/.*'PublicReadGetObject'/,
    );
  });

  test('a public grant pinned to a source VPC is not public; one requiring HTTPS still is', () => {
    const policy = (condition: object) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::b-1/*',
            Condition: condition,
          },
        ],
      });
    expect(policyExposure(policy({ StringEquals: { 'aws:SourceVpc': 'vpc-1234' } }), 'b-1').exposed).toEqual(
      [],
    );
    expect(policyExposure(policy({ Bool: { 'aws:SecureTransport': 'true' } }), 'b-1').exposed).toHaveLength(
      2,
    );
  });
});

describe('settings', () => {
  test('every variable listed, secrets redacted, unset ones named', () => {
    const { checks } = checkSettings(repoEnv, '.env.local');
    const text = JSON.stringify(checks);
    expect(text).not.toContain(repoEnv.SMTP_PASSWORD);
    expect(text).not.toContain(repoEnv.AWS_SECRET_ACCESS_KEY);
    expect(checks[0]!.lines).toContain('SMTP_PASSWORD=<redacted>');
    expect(checks[0]!.lines).toContain('AWS_SECRET_ACCESS_KEY=<redacted>');
    expect(checks[0]!.lines).toContain("SMTP_USE_SSL (not set: the app's default applies)");
  });
});

// The Korean lines are quotes: they must stay word for word what the guide says.
const GUIDE = fileURLToPath(new URL('../../../shared/seed/000_d8d9d20813e1ddc6.txt', import.meta.url));
// CI always runs with shared/ beside the repository, so there a missing guide is a failure.
if (process.env.CI && !existsSync(GUIDE)) throw new Error(`the guide is missing at ${GUIDE}`);
describe.skipIf(!existsSync(GUIDE))('the guide quotes (when the guide is next to the repository)', () => {
  test('each cause and remedy line appears verbatim under its heading', () => {
    const guide = readFileSync(GUIDE, 'utf8');
    for (const section of Object.values(GUIDE_SECTIONS)) {
      const heading = section.heading.split(' › ').pop()!;
      const start = guide.indexOf(`#### ${heading}`);
      expect(start, heading).toBeGreaterThan(0);
      const body = guide.slice(start, guide.indexOf('####', start + 5));
      expect(body).toContain(`**원인**: ${section.causeKo}`);
      for (const line of section.remediesKo) expect(body).toContain(`- ${line}\n`);
    }
  });
});
