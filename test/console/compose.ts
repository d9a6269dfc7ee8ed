// What the console tests (and scripts/screenshots.ts) run against: the real stack from
// startStack() — the embedded S3 server enforcing the stack's policies with its own engine,
// the captured-mail server and the console — plus the two clients the tests drive it with.
import { S3Client } from '@aws-sdk/client-s3';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { MailServer } from '../../stack/mail/server.ts';
import type { S3Server } from '../../stack/s3/server.ts';
import { type Stack, type StartStackOptions, startStack } from '../../stack/stack.ts';

export const BUCKET = 'focusmate-uploads';

/** Who a test client signs as: the stack's root identity or the guide's least-privilege app user. */
export type Signer = 'root' | 'app';
export const ROOT: Signer = 'root';
export const APP_USER: Signer = 'app';

export interface ComposedStack extends AsyncDisposable {
  stack: Stack;
  s3: S3Server;
  mail: MailServer;
  console: { url: string };
  client(who?: Signer): S3Client;
  transport(): Transporter<SMTPTransport.SentMessageInfo>;
  stop(): Promise<void>;
}

/** `options` go to startStack() as they are (e.g. `{ dkim: {} }` for an app that signs). */
export async function composeStack(options: StartStackOptions = {}): Promise<ComposedStack> {
  const stack = await startStack(options);
  if (!stack.engine.server) throw new Error('the console tests need the embedded engine');
  const client = (who: Signer = ROOT) =>
    new S3Client({
      endpoint: stack.s3.url,
      region: stack.s3.region,
      forcePathStyle: true,
      credentials: who === APP_USER ? stack.s3.app : stack.s3.root,
    });
  return {
    stack,
    s3: stack.engine.server,
    mail: stack.mail,
    console: { url: stack.consoleUrl },
    client,
    transport: () =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: stack.mail.smtpPort,
        secure: false,
        requireTLS: true,
        auth: { user: stack.env.SMTP_USER!, pass: stack.env.SMTP_PASSWORD! },
        tls: { ca: stack.caCertPem, servername: 'localhost' },
      } as SMTPTransport.Options),
    stop: () => stack.stop(),
    [Symbol.asyncDispose]: () => stack.stop(),
  };
}
