// What the console tests (and scripts/screenshots.ts) run against: the embedded S3 server with
// a root and an app identity, the stack's policies enforced by the access-control engine, the
// captured-mail server, and the console mounting the mail API — composed here by hand, the way
// startStack() composes them.
import {
  CreateBucketCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { type ConsoleServer, startConsoleServer } from '../../stack/console/server.ts';
import { type MailServer, startMailServer } from '../../stack/mail/server.ts';
import { APP_USER_POLICY_NAME, loadStackPolicies } from '../../stack/policies/load-stack-policies.ts';
import { createAuthorizer, type PolicyAuthorizer } from '../../stack/s3/authz/authorizer.ts';
import { parseBucketPolicy } from '../../stack/s3/authz/policy-parse.ts';
import type { ParsedPolicy, PublicAccessBlockFlags } from '../../stack/s3/authz/policy-types.ts';
import { defaultPublicAccessBlock } from '../../stack/s3/authz/public-access-block.ts';
import type { Identity } from '../../stack/s3/identity.ts';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';

export const BUCKET = 'focusmate-uploads';

export const ROOT: Identity = {
  name: 'root',
  arn: 'arn:aws:iam::000000000000:root',
  accessKeyId: 'AKIACONSOLEROOT00001',
  secretAccessKey: 'console-root-secret-0000000000000000000001',
  root: true,
};

export const APP_USER: Identity = {
  name: 'focusmate-s3-user',
  arn: 'arn:aws:iam::000000000000:user/focusmate-s3-user',
  accessKeyId: 'AKIACONSOLEAPP000001',
  secretAccessKey: 'console-app-secret-00000000000000000000001',
  root: false,
};

export const SMTP_USER = { user: 'focusmate@localhost', pass: 'local-smtp-password' };

export interface ComposedStack extends AsyncDisposable {
  s3: S3Server;
  mail: MailServer;
  console: ConsoleServer;
  authorizer: PolicyAuthorizer;
  client(identity?: Identity): S3Client;
  transport(): Transporter<SMTPTransport.SentMessageInfo>;
  stop(): Promise<void>;
}

export async function composeStack(): Promise<ComposedStack> {
  const policies = await loadStackPolicies({ bucket: BUCKET });
  const bucketPolicies = new Map<string, ParsedPolicy>();
  const blocks = new Map<string, PublicAccessBlockFlags>();
  const authorizer = createAuthorizer({
    identityPolicies: (who) => (who.arn === APP_USER.arn ? [policies.userPolicy] : []),
    bucketPolicy: (b) => bucketPolicies.get(b),
    publicAccessBlock: (b) => blocks.get(b) ?? defaultPublicAccessBlock(),
  });
  const s3 = await startS3Server({
    identities: [ROOT, APP_USER],
    authorize: authorizer,
    validatePolicy: (json, bucket) => {
      bucketPolicies.set(bucket, parseBucketPolicy(json, bucket));
    },
  });
  const client = (identity: Identity = ROOT) =>
    new S3Client({
      endpoint: s3.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey },
    });
  const root = client();
  await root.send(new CreateBucketCommand({ Bucket: BUCKET }));
  blocks.set(BUCKET, policies.publicAccessBlock);
  await root.send(
    new PutPublicAccessBlockCommand({
      Bucket: BUCKET,
      PublicAccessBlockConfiguration: policies.publicAccessBlock,
    }),
  );
  await root.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policies.bucketPolicyJson }));
  await root.send(
    new PutBucketCorsCommand({
      Bucket: BUCKET,
      CORSConfiguration: {
        CORSRules: policies.cors.map((r) => ({
          ID: r.id,
          AllowedOrigins: r.allowedOrigins,
          AllowedMethods: r.allowedMethods,
          AllowedHeaders: r.allowedHeaders,
          ExposeHeaders: r.exposeHeaders,
          MaxAgeSeconds: r.maxAgeSeconds,
        })),
      },
    }),
  );
  root.destroy();

  const mail = await startMailServer({ auth: { users: [SMTP_USER] } });
  const consoleServer = await startConsoleServer({
    mailApi: mail.api,
    s3: {
      endpoint: s3.url,
      region: 'us-east-1',
      rootCredentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
    },
    s3Server: s3,
    decisions: (filter) => authorizer.decisions(filter),
    overview: () => ({
      engine: 'embedded',
      endpoints: {
        console: consoleServer.url,
        s3: s3.url,
        smtp: `smtp://127.0.0.1:${mail.smtpPort}`,
        smtps: `smtps://127.0.0.1:${mail.smtpsPort}`,
        'mail API': `${consoleServer.url}/api/v1`,
      },
      credentials: {
        root: { name: 'root', accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
        appUser: {
          name: `${APP_USER.name} (${APP_USER_POLICY_NAME})`,
          accessKeyId: APP_USER.accessKeyId,
          secretAccessKey: APP_USER.secretAccessKey,
        },
        smtp: { user: SMTP_USER.user, password: SMTP_USER.pass },
      },
      env: {
        STORAGE_TYPE: 's3',
        AWS_S3_BUCKET: BUCKET,
        AWS_S3_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: APP_USER.accessKeyId,
        AWS_SECRET_ACCESS_KEY: APP_USER.secretAccessKey,
        AWS_ENDPOINT_URL_S3: s3.url,
        SMTP_ENABLED: 'true',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(mail.smtpPort),
        SMTP_USER: SMTP_USER.user,
        SMTP_PASSWORD: SMTP_USER.pass,
      },
      envFile: '.env.local',
    }),
  });

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await consoleServer.stop();
      await Promise.all([mail.stop(), s3.stop()]);
    })();
    return stopped;
  };
  return {
    s3,
    mail,
    console: consoleServer,
    authorizer,
    client,
    transport: () =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: mail.smtpPort,
        secure: false,
        requireTLS: true,
        auth: SMTP_USER,
        tls: { ca: mail.caCertPem, servername: 'localhost' },
      } as SMTPTransport.Options),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
