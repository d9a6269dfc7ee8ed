// The embedded S3 server's options, resolved once with their defaults.
import type { DecisionRecord } from './authz/decision-log.ts';
import type { AccessDecision, Authorizer } from './authz/types.ts';
import type { S3FaultRule } from './faults/s3-rules.ts';
import type { IdentitySeed } from './identity-registry.ts';
import type { KmsKeyring } from './sse.ts';

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
  /** The fault rule that acted on this request (stack/s3/faults), if one did. */
  fault?: { id: string; action: 'error' | 'delay' | 'no-response' | 'drop' };
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
  /**
   * Who may sign requests at start: the stack's root identity and its users, each with the
   * identity policies of its user. Change them later with the handle's putIdentity /
   * removeIdentity / setIdentityActive. @default [] (only anonymous requests)
   */
  identities?: IdentitySeed[];
  /**
   * Replaces the policy engine (tests that want their own rules). Its decisions are recorded
   * like the engine's.
   * @default the policy engine: root always allowed; users by their identity policies and the
   *   bucket policy (explicit Deny wins); anonymous only by a public bucket policy statement
   *   that Block Public Access does not restrict
   */
  authorize?: Authorizer;
  /** Called after every authorization decision, e.g. to stream it to the console. @default none */
  onDecision?: (record: DecisionRecord) => void;
  /**
   * Parent domain for virtual-hosted-style requests: `bucket.<domain>` and `bucket.s3.<domain>`.
   * @default 'localhost'
   */
  domain?: string;
  /** Largest single PUT / part accepted, in bytes (AWS: 5 GiB); lower it in tests. @default 5 GiB */
  maxObjectSize?: number;
  /** Clock in ms since epoch (signature dates, Last-Modified, aws:CurrentTime). @default Date.now */
  now?: () => number;
  /**
   * How often buckets' lifecycle rules are applied (AWS runs them about once a day); 0 turns
   * the schedule off (tests then drive `lifecycle.advance` / `lifecycle.run`). @default 60000
   */
  lifecycleIntervalMs?: number;
  /** Called once per finished request. @default none */
  onRequest?: (entry: RequestLogEntry) => void;
  /**
   * Extra check of a bucket policy, after the server's own (MalformedPolicy, BlockPublicPolicy)
   * and before it is stored; throw an S3Error to refuse. @default none
   */
  validatePolicy?: (json: string, bucket: string) => void;
  /**
   * A request whose client sends (or reads) nothing for this long is answered 400
   * RequestTimeout and its connection closed, as S3 does after about 20 s.
   * @default 20000
   */
  idleTimeoutMs?: number;
  /** Bound for stop(): connections still busy after this are destroyed. @default 5000 */
  stopTimeoutMs?: number;
  /** Serve HTTPS with this certificate (PEM); `aws:SecureTransport` is then true. @default plain HTTP */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
  /** Fault rules in force from the start (more via the handle's `faults`). @default [] */
  faults?: S3FaultRule[];
  /**
   * KMS keys that SSE-KMS requests may name: key ids (UUIDs, answered as
   * `arn:aws:kms:<region>:000000000000:key/<id>`) and aliases (`alias/name`, given a stable
   * key id). A key not listed is refused with 400 KMS.NotFoundException as S3 does.
   * `alias/aws/s3` (the AWS managed key used when aws:kms names none) is always known.
   * @default [] (only alias/aws/s3)
   */
  kmsKeys?: string[];
}

export interface ResolvedOptions {
  host: string;
  port: number;
  region: string;
  storage: StorageOption;
  identities: IdentitySeed[];
  authorize?: Authorizer;
  onDecision?: (record: DecisionRecord) => void;
  domain: string;
  maxObjectSize: number;
  now: () => number;
  /**
   * The stored world's clock (Last-Modified, upload initiation, lifecycle): `now` plus what
   * tests advanced it by. Signatures keep `now`, since clients sign with the real time.
   */
  storeNow: () => number;
  storeClock: { offsetMs: number };
  lifecycleIntervalMs: number;
  onRequest?: (entry: RequestLogEntry) => void;
  validatePolicy?: (json: string, bucket: string) => void;
  idleTimeoutMs: number;
  stopTimeoutMs: number;
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
  faults: S3FaultRule[];
  kms: KmsKeyring;
}

export const FIVE_GIB = 5 * 1024 ** 3;
