// One interface over every S3 engine (embedded, MinIO child process, MinIO container), so
// the stack, the tests and the console do not care which one runs.
import type { RequestLogEntry } from '../s3/options.ts';
import type { S3Server } from '../s3/server.ts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface EngineObjectEvent {
  type: 'object-created' | 'object-removed';
  bucket: string;
  key: string;
  size?: number;
}

export interface S3Engine {
  kind: 'embedded' | 'minio' | 'docker';
  url: string;
  region: string;
  root: Credentials;
  /** S3 features the engine implements; seeding skips (and reports) the others. */
  supports: { publicAccessBlock: boolean; cors: boolean };
  /** Creates the app's IAM user bound to exactly this identity policy. */
  provisionUser(user: Credentials & { name: string }, policy: { name: string; json: string }): Promise<void>;
  /** Live object and request events (embedded only; MinIO's inspection goes through the S3 API). */
  onObjectEvent?(listener: (event: EngineObjectEvent) => void): () => void;
  onRequest?(listener: (entry: RequestLogEntry) => void): () => void;
  /** The in-process server, when the engine is embedded (request log for the console). */
  server?: S3Server;
  stop(): Promise<void>;
}
