// What the console is given by whoever composes the stack, and what it shows on its Overview.
import type { MailApiHandler } from '../mail/api/create-mail-api.ts';
import type { DecisionFilter, DecisionRecord } from '../s3/authz/decision-log.ts';
import type { S3Server } from '../s3/server.ts';

export interface ConsoleCredential {
  /** Who this is, e.g. `root` or `focusmate-s3-user`. */
  name?: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** What the Overview page shows, each value with a copy button. */
export interface ConsoleOverview {
  /** The S3 engine in use: `embedded`, `minio` or `docker`. */
  engine: string;
  /** Label → URL, e.g. `{ s3: 'http://127.0.0.1:9000', smtp: 'smtp://127.0.0.1:1025' }`. */
  endpoints: Record<string, string>;
  credentials: {
    root: ConsoleCredential;
    appUser?: ConsoleCredential;
    smtp?: { user: string; password: string };
  };
  /** The app's env that the stack serves (the contents of `.env.local`, as variables). */
  env: Record<string, string>;
  dataDir?: string;
  envFile?: string;
}

export interface ConsoleS3Options {
  /** The S3 API endpoint the console talks to, e.g. `http://127.0.0.1:9000`. */
  endpoint: string;
  /** Region to sign with. @default 'us-east-1' */
  region?: string;
  /** The root identity: the console lists, reads, uploads and deletes as root. */
  rootCredentials: { accessKeyId: string; secretAccessKey: string };
}

export interface ConsoleServerOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Mailpit-compatible mail API mounted at /api/v1/* (and /view/*). @default undefined (no Mail page) */
  mailApi?: MailApiHandler;
  /** The S3 engine, reached over the S3 API with root credentials. @default undefined (no Storage page) */
  s3?: ConsoleS3Options;
  /** The embedded engine's handle: request log and live object events. @default undefined (MinIO: no request log) */
  s3Server?: Pick<S3Server, 'requests' | 'on'>;
  /** The authorization decision log, e.g. a PolicyAuthorizer's `decisions`. @default undefined */
  decisions?: (filter?: DecisionFilter) => DecisionRecord[];
  /** What the Overview shows; called on every Overview request. @default derived from `s3` and the console URL */
  overview?: () => ConsoleOverview | Promise<ConsoleOverview>;
  /** Bound for stop(): open connections (event streams included) still open after this are destroyed. @default 2000 */
  stopTimeoutMs?: number;
}
