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

export interface EngineKey {
  userName: string;
  accessKeyId: string;
  active: boolean;
}

export interface EngineKeys {
  /** Another key for an existing user, with that user's policies (a user may hold two at once). */
  add(userName: string, key: Credentials): Promise<void>;
  /** Inactive keys are refused with InvalidAccessKeyId; throws on an unknown key. */
  setActive(accessKeyId: string, active: boolean): Promise<void>;
  /** Forgets a key: requests signed with it get InvalidAccessKeyId. */
  remove(accessKeyId: string): Promise<void>;
  /** Every key with its user, secrets left out. */
  list(): EngineKey[];
}

export interface EngineSupports {
  publicAccessBlock: boolean;
  cors: boolean;
  encryption?: boolean;
  /** The AbortIncompleteMultipartUpload lifecycle action (MinIO refuses it as malformed XML). */
  abortIncompleteUploads?: boolean;
}

export interface S3Engine {
  kind: 'embedded' | 'minio' | 'docker';
  url: string;
  region: string;
  root: Credentials;
  /** S3 features the engine implements; seeding skips (and reports) the others. */
  supports: EngineSupports;
  /** Creates the app's IAM user bound to exactly this identity policy. */
  provisionUser(user: Credentials & { name: string }, policy: { name: string; json: string }): Promise<void>;
  /** Live object and request events (embedded only; MinIO's inspection goes through the S3 API). */
  onObjectEvent?(listener: (event: EngineObjectEvent) => void): () => void;
  onRequest?(listener: (entry: RequestLogEntry) => void): () => void;
  /**
   * Access keys of users that already exist, changed while the engine runs (key rotation).
   * Absent when the engine cannot (MinIO): the stack answers NOT_SUPPORTED.
   */
  keys?: EngineKeys;
  /** The in-process server, when the engine is embedded (request log for the console). */
  server?: S3Server;
  stop(): Promise<void>;
}
