// The embedded S3 server's options, resolved once with their defaults.
import type { AccessDecision, Authorizer } from './authz/types.ts';
import type { Identity } from './identity.ts';

export type StorageOption = 'memory' | { type: 'memory' } | { type: 'disk'; dir: string };

/** One line per request, for the request log hook and the handle's `request` event. */
export interface RequestLogEntry {
  id: string;
  /** ms since epoch when the request arrived */
  time: number;
  method: string;
  path: string;
  /** Identity name, or null for anonymous. */
  principal: string | null;
  operation: string;
  bucket?: string;
  key?: string;
  status: number;
  errorCode?: string;
  durationMs: number;
  /** Every authorization asked during the request, in order. */
  decisions: ({ action: string; resource: string } & AccessDecision)[];
}

export interface S3ServerOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Region this endpoint answers for; the handle reports it and clients sign service-level requests with it. @default 'us-east-1' */
  region?: string;
  /** Where objects live. @default 'memory' */
  storage?: StorageOption;
  /** Who may sign requests: the stack's root identity and its users. @default [] (only anonymous requests) */
  identities?: Identity[];
  /**
   * Decides every action. @default authenticated identities are allowed, anonymous is denied
   */
  authorize?: Authorizer;
  /**
   * Parent domain for virtual-hosted-style requests: `bucket.<domain>` and `bucket.s3.<domain>`.
   * @default 'localhost'
   */
  domain?: string;
  /** Largest single PUT / part accepted, in bytes (AWS: 5 GiB); lower it in tests. @default 5 GiB */
  maxObjectSize?: number;
  /** Clock in ms since epoch (signature dates, Last-Modified, aws:CurrentTime). @default Date.now */
  now?: () => number;
  /** Called once per finished request. @default none */
  onRequest?: (entry: RequestLogEntry) => void;
  /**
   * Validates a bucket policy before it is stored; throws an S3Error (MalformedPolicy) to refuse.
   * @default checks that the document is a JSON object
   */
  validatePolicy?: (json: string, bucket: string) => void;
  /** Bound for stop(): connections still busy after this are destroyed. @default 5000 */
  stopTimeoutMs?: number;
  /** Serve HTTPS with this certificate (PEM); `aws:SecureTransport` is then true. @default plain HTTP */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
}

export interface ResolvedOptions {
  host: string;
  port: number;
  region: string;
  storage: StorageOption;
  identities: Identity[];
  authorize: Authorizer;
  domain: string;
  maxObjectSize: number;
  now: () => number;
  onRequest?: (entry: RequestLogEntry) => void;
  validatePolicy: (json: string, bucket: string) => void;
  stopTimeoutMs: number;
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
}

export const FIVE_GIB = 5 * 1024 ** 3;
