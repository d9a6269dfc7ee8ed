// The app as production builds it — loadSettings(env) then createApp — with the env a stack
// hands out, plus the two things an end-to-end test checks from outside the app: what an
// anonymous visitor gets at a URL, and how a captured message travelled.
import { expect } from 'vitest';
import { type App, createApp, type Logger, loadSettings, silentLogger } from '../../../src/index.ts';
import type { MessageSummary } from '../../../stack/mail/store/types.ts';

export interface AppForOptions {
  /** @default silentLogger */
  logger?: Logger;
  /** Base for a relative STORAGE_LOCAL_PATH. @default process.cwd() */
  cwd?: string;
}

/** The app configured from `env` only, failing fast: one SMTP attempt, short timeouts. */
export function appFor(env: Record<string, string>, options: AppForOptions = {}): App {
  return createApp(loadSettings(env), {
    logger: options.logger ?? silentLogger,
    cwd: options.cwd,
    email: { retry: { attempts: 1 }, timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 5000 } },
  });
}

/** The path-style URL of an object, as a browser would open it: no credentials, no signature. */
export function objectUrl(endpoint: string, bucket: string, key: string): string {
  return `${endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export interface AnonymousResponse {
  status: number;
  contentType: string | null;
  body: Buffer;
  /** The S3 error code of an XML error body, when there is one. */
  errorCode: string | undefined;
}

/** GET as an anonymous visitor (plain fetch, nothing signed). */
export async function anonymousGet(url: string): Promise<AnonymousResponse> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = Buffer.from(await response.arrayBuffer());
  const errorCode = /<Error>[\s\S]*?<Code>([^<]+)<\/Code>/.exec(body.toString('utf8'))?.[1];
  return { status: response.status, contentType: response.headers.get('content-type'), body, errorCode };
}

/**
 * The message reached the stack the way the guide's Gmail setup sends it: over the listener the
 * env selects, inside TLS (upgraded by STARTTLS on the submission port), authenticated as
 * SMTP_USER, with exactly these envelope recipients and the app's sender.
 */
export function expectSentAsApp(
  mail: MessageSummary,
  env: Record<string, string>,
  recipients: string[],
  listener: 'submission' | 'implicit-tls' = 'submission',
): void {
  const { session } = mail;
  expect(session.listener).toBe(listener);
  expect(session.tls, 'the message travelled in the clear').not.toBeNull();
  expect(session.tls?.upgraded).toBe(listener === 'submission');
  expect(session.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
  expect(session.auth, 'the message was sent without AUTH').not.toBeNull();
  expect(session.auth?.user).toBe(env.SMTP_USER);
  expect(session.mailFrom).toBe(env.SMTP_FROM_EMAIL);
  expect(session.rcptTo).toEqual(recipients);
  expect(mail.from).toEqual({ name: env.SMTP_FROM_NAME, address: env.SMTP_FROM_EMAIL });
  expect(mail.to.map((a) => a.address)).toEqual(recipients);
}
