// Combinations of settings the app's own validation accepts but that will fail (or leak) when
// used: each is a pure function of the resolved settings, so each has a unit test without sockets.
import type { Settings } from '../../src/config/index.ts';
import { type Check, warning } from './check.ts';
import {
  AWS_EXAMPLE_ACCESS_KEY,
  endpointHost,
  isAwsHost,
  isLocalHost,
  looksLikeAwsAccessKey,
  looksLikeGmailAppPassword,
  PROVIDER_NAMES,
  smtpProvider,
} from './providers.ts';

/** Ports where SMTP starts in plain text (submission, relay): implicit TLS there cannot work. */
const PLAIN_START_PORTS = new Set([25, 587, 2587]);

function smtpWarnings(s: Settings['smtp']): Check[] {
  const out: Check[] = [];
  const provider = smtpProvider(s.host);
  if (s.port === 465 && !s.useSsl) {
    out.push(
      warning(
        'settings.smtp-465-starttls',
        'SMTP_PORT=465 with SMTP_USE_SSL=false: the app will wait for a plain-text greeting and STARTTLS on the SSL port',
        'port 465 speaks TLS from the first byte (SSL); a client expecting STARTTLS there never gets a greeting and times out',
        'remove SMTP_USE_SSL (port 465 then means SSL), or use SMTP_PORT=587 with SMTP_USE_TLS=true (the guide: port 587 uses TLS, port 465 uses SSL)',
      ),
    );
  }
  if (s.useSsl && PLAIN_START_PORTS.has(s.port)) {
    out.push(
      warning(
        'settings.smtp-ssl-on-starttls-port',
        `SMTP_USE_SSL=true with SMTP_PORT=${s.port}: the app will start TLS on a port that greets in plain text`,
        `port ${s.port} is a STARTTLS port; a TLS handshake there fails ("wrong version number")`,
        'remove SMTP_USE_SSL and keep SMTP_USE_TLS=true (STARTTLS on 587), or use SMTP_PORT=465 for SSL',
      ),
    );
  }
  if (provider && !s.useSsl && !s.useTls) {
    out.push(
      warning(
        'settings.smtp-provider-requires-tls',
        `SMTP_USE_TLS=false with ${PROVIDER_NAMES[provider]} (${s.host}:${s.port})`,
        `${PROVIDER_NAMES[provider]} refuses AUTH before STARTTLS (530 5.7.0 Must issue a STARTTLS command first)`,
        'set SMTP_USE_TLS=true (port 587) or use port 465 with SSL',
      ),
    );
  } else if (!s.useSsl && !s.useTls && s.user !== '' && !isLocalHost(s.host)) {
    out.push(
      warning(
        'settings.smtp-plaintext-auth',
        `SMTP_USE_TLS=false: SMTP_USER's password would cross the network to ${s.host} unencrypted`,
        'without STARTTLS or SSL, AUTH sends the credentials in clear text',
        'set SMTP_USE_TLS=true unless the service truly offers no TLS',
      ),
    );
  }
  if (provider === 'sendgrid' && s.user !== 'apikey') {
    out.push(
      warning(
        'settings.sendgrid-user',
        `SMTP_USER=${JSON.stringify(s.user)} with SendGrid: SendGrid's SMTP user is always the literal "apikey"`,
        'SendGrid authenticates with the user name "apikey" and an API key as the password; any other user gets 535',
        'set SMTP_USER=apikey and SMTP_PASSWORD to the API key (the guide: SendGrid 설정)',
      ),
    );
  }
  if (provider === 'gmail' && s.password !== '' && !looksLikeGmailAppPassword(s.password)) {
    out.push(
      warning(
        'settings.gmail-app-password',
        'SMTP_PASSWORD does not look like a Gmail app password (16 letters, spaces allowed)',
        'Gmail refuses the account password over SMTP (535 5.7.8); it needs an app password, 16 letters',
        'create an app password at https://myaccount.google.com/apppasswords (2-Step Verification on) and use it as SMTP_PASSWORD',
      ),
    );
  }
  return out;
}

function s3Warnings(s3: Settings['storage']['s3']): Check[] {
  const out: Check[] = [];
  const realKey = looksLikeAwsAccessKey(s3.accessKeyId);
  if (s3.endpoint) {
    const host = endpointHost(s3.endpoint);
    if (isAwsHost(host)) {
      out.push(
        warning(
          'settings.s3-endpoint-production',
          `AWS_ENDPOINT_URL_S3=${s3.endpoint} points at AWS itself, not at the dev stack`,
          'the endpoint override is meant for the local stack (or a VPC endpoint); this env writes to a real bucket, with path-style addressing',
          'remove AWS_ENDPOINT_URL_S3 for AWS (the SDK then picks the regional endpoint), or point it at the dev stack (http://127.0.0.1:9000)',
        ),
      );
    } else if (isLocalHost(host) && realKey) {
      const example =
        s3.accessKeyId === AWS_EXAMPLE_ACCESS_KEY ? ' (it is the AWS documentation example key)' : '';
      out.push(
        warning(
          'settings.s3-real-keys-local-endpoint',
          `AWS_ACCESS_KEY_ID looks like a real AWS access key${example}, but AWS_ENDPOINT_URL_S3=${s3.endpoint} is a local endpoint`,
          'real AWS credentials do not belong in a local env file: the dev stack provisions whatever keys the file names',
          'use throwaway keys for the dev stack (as .env.local does) and keep real keys in a secret manager',
        ),
      );
    }
  } else if (s3.accessKeyId !== '' && !realKey) {
    out.push(
      warning(
        'settings.s3-local-keys-on-aws',
        'AWS_ACCESS_KEY_ID does not look like an AWS access key (AKIA/ASIA + 16 characters), but AWS_ENDPOINT_URL_S3 is unset: requests go to AWS',
        'a dev-stack env without its endpoint override sends the local keys to AWS, which answers InvalidAccessKeyId',
        'set AWS_ENDPOINT_URL_S3 to the dev stack (http://127.0.0.1:9000), or use the IAM user keys for AWS',
      ),
    );
  }
  return out;
}

/** Warnings for the SMTP settings (when SMTP is enabled) and the S3 settings (when STORAGE_TYPE=s3). */
export function settingsWarnings(settings: Settings): Check[] {
  return [
    ...(settings.smtp.enabled ? smtpWarnings(settings.smtp) : []),
    ...(settings.storage.type === 's3' ? s3Warnings(settings.storage.s3) : []),
  ];
}
