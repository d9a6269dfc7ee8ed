// A captured-mail server and the app's email service pointed at it through env only, as the
// app is configured in production: loadSettings(env) then createApp.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SmtpTimeouts } from '../../src/email/transport-options.ts';
import { type App, createApp, type EmailContent, loadSettings, silentLogger } from '../../src/index.ts';
import { type MailServer, type MailServerOptions, startMailServer } from '../../stack/mail/server.ts';

export const SMTP_USER = 'dev@focusmate.local';
export const SMTP_PASSWORD = 'local-app-password';
export const FROM = 'noreply@focusmate.com';

export const CONTENT: EmailContent = {
  kind: 'team-invitation',
  subject: 'You are invited',
  text: 'Join the team.',
  html: '<p>Join the team.</p>',
};

export interface MailRig {
  mail: MailServer;
  env: Record<string, string>;
  /** The app configured from `env` plus overrides; closed by the rig's stop(). */
  app(overrides?: Record<string, string>, email?: { attempts?: number; timeouts?: SmtpTimeouts }): App;
  stop(): Promise<void>;
}

export async function startMailRig(options: MailServerOptions = {}): Promise<MailRig> {
  const mail = await startMailServer({
    tls: { mode: 'required' },
    auth: { users: [{ user: SMTP_USER, pass: SMTP_PASSWORD }] },
    ...options,
  });
  const dir = await mkdtemp(join(tmpdir(), 'fault-mail-'));
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, mail.caCertPem);
  const env: Record<string, string> = {
    SMTP_ENABLED: 'true',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mail.smtpPort),
    SMTP_USER,
    SMTP_PASSWORD,
    SMTP_FROM_EMAIL: FROM,
    SMTP_FROM_NAME: 'Focus Mate',
    SMTP_USE_TLS: 'true',
    SMTP_TLS_CA_FILE: caFile,
    STORAGE_TYPE: 'local',
    STORAGE_LOCAL_PATH: join(dir, 'uploads'),
  };
  const apps: App[] = [];
  return {
    mail,
    env,
    app(overrides = {}, email = {}) {
      const app = createApp(loadSettings({ ...env, ...overrides }), {
        logger: silentLogger,
        email: {
          retry: { attempts: email.attempts ?? 3, backoffMs: 10 },
          timeouts: email.timeouts ?? { connectionMs: 2000, greetingMs: 2000, socketMs: 5000 },
        },
      });
      apps.push(app);
      return app;
    },
    async stop() {
      for (const app of apps) await app.close();
      await mail.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
