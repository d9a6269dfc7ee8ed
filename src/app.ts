import type { Settings } from './config/settings.ts';
import { createEmailService, type EmailService, type EmailServiceOptions } from './email/email-service.ts';
import { createFlows, type Flows } from './flows/flows.ts';
import { consoleLogger, type Logger } from './logger.ts';
import { createStorage } from './storage/create-storage.ts';
import type { Storage } from './storage/storage.ts';

export interface AppOptions {
  /** @default consoleLogger */
  logger?: Logger;
  /** Email timeouts and retry (tests shorten them). Its logger defaults to the app's. */
  email?: Omit<EmailServiceOptions, 'logger'>;
  /** Base for relative STORAGE_LOCAL_PATH and SMTP_TLS_CA_FILE. @default process.cwd() */
  cwd?: string;
}

/** The app wired from its settings: storage and email adapters, and the use cases on top. */
export interface App {
  readonly settings: Settings;
  readonly storage: Storage;
  readonly email: EmailService;
  readonly flows: Flows;
  /** Closes the SMTP transport and the S3 client; safe to call twice. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function createApp(settings: Settings, options: AppOptions = {}): App {
  const logger = options.logger ?? consoleLogger;
  const storage = createStorage(settings.storage, { cwd: options.cwd });
  const email = createEmailService(settings.smtp, { ...options.email, logger, cwd: options.cwd });
  const flows = createFlows({ storage, email, appBaseUrl: settings.app.publicBaseUrl, logger });
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      email.close();
      await storage.close();
    })();
    return closed;
  };
  return { settings, storage, email, flows, close, [Symbol.asyncDispose]: close };
}
