// startS3Server: the embedded S3 server as a started handle, with inspection for tests.
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHttpsServer, createServer } from '../util/node-http.ts';
import type { DecisionFilter, DecisionRecord } from './authz/decision-log.ts';
import type { NamedPolicy } from './authz/policy-types.ts';
import { defaultPublicAccessBlock } from './authz/public-access-block.ts';
import { bucketNameProblem } from './bucket-name.ts';
import { S3Error } from './errors.ts';
import { markExpectsContinue } from './expect-continue.ts';
import { S3FaultController, type S3Faults } from './faults/s3-faults.ts';
import { createS3Handler } from './handler.ts';
import type { Identity } from './identity.ts';
import { type ObjectInfo, objectInfo } from './inspect.ts';
import {
  type AppliedLifecycleAction,
  createLifecycleRunner,
  type LifecycleRunner,
} from './lifecycle/runner.ts';
import { FIVE_GIB, type RequestLogEntry, type ResolvedOptions, type S3ServerOptions } from './options.ts';
import { errorXml } from './respond.ts';
import { createServerAccess } from './server-access.ts';
import { KmsKeyring } from './sse.ts';
import { diskBackends } from './storage/disk-backend.ts';
import { memoryBackends } from './storage/memory-backend.ts';
import { Store, type StoreEvent } from './storage/store.ts';

export type { DecisionFilter, DecisionRecord } from './authz/decision-log.ts';
export type { NamedPolicy } from './authz/policy-types.ts';
export type { S3Faults } from './faults/s3-faults.ts';
export type { S3FaultAction, S3FaultMatch, S3FaultRule } from './faults/s3-rules.ts';
export type { IdentitySeed } from './identity-registry.ts';
export type { ObjectInfo } from './inspect.ts';
export type { AppliedLifecycleAction } from './lifecycle/runner.ts';
export type { RequestLogEntry, S3ServerOptions } from './options.ts';

export interface ObjectCreatedEvent {
  bucket: string;
  key: string;
  object: ObjectInfo;
}

export interface ObjectRemovedEvent {
  bucket: string;
  key: string;
}

export interface S3ServerEvents {
  'object-created': [ObjectCreatedEvent];
  'object-removed': [ObjectRemovedEvent];
  /** What one lifecycle pass did (only passes that did something). */
  lifecycle: [AppliedLifecycleAction[]];
  request: [RequestLogEntry];
}

export interface BucketInfo {
  name: string;
  region: string;
  creationDate: Date;
}

export interface S3Server {
  /** `http://host:port` — path-style endpoint. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly region: string;
  /** Virtual-hosted-style parent domain: `http://<bucket>.<domain>:<port>`. */
  readonly domain: string;
  /** object-created / object-removed / request events. */
  readonly events: EventEmitter<S3ServerEvents>;
  on<E extends keyof S3ServerEvents>(event: E, listener: (...args: S3ServerEvents[E]) => void): () => void;
  /** The last 1000 requests, oldest first. */
  requests(): RequestLogEntry[];
  /** Fault injection rules: add / list / remove / clear (see stack/s3/faults). */
  readonly faults: S3Faults;
  /**
   * Buckets' lifecycle rules against a clock tests control: `advance(ms)` moves it forward and
   * applies the rules at the new time, resolving with what was expired, removed or aborted.
   */
  readonly lifecycle: Omit<LifecycleRunner, 'stop'>;
  /**
   * Adds or replaces the identity signing with `identity.accessKeyId` (a new user, or another
   * key of an existing user for rotation). `policies` replace the identity policies of the
   * user `identity.name`; omitted, the user keeps the ones it has. Takes effect at once.
   */
  putIdentity(identity: Identity, policies?: NamedPolicy[]): void;
  /** Forgets an access key: requests signed with it get InvalidAccessKeyId. */
  removeIdentity(accessKeyId: string): void;
  /** Deactivates (InvalidAccessKeyId) or reactivates a key; throws if the key is unknown. */
  setIdentityActive(accessKeyId: string, active: boolean): void;
  /** Every configured access key (secrets included: this is the in-process handle). */
  identities(): Identity[];
  /** Authorization decisions with their explanations, oldest first (the last 1000). */
  decisions(filter?: DecisionFilter): DecisionRecord[];
  clearDecisions(): void;
  listBuckets(): BucketInfo[];
  /** Creates a bucket without going through HTTP (seeding). @default region: the server's region */
  createBucket(name: string, opts?: { region?: string }): Promise<void>;
  listObjects(bucket: string, prefix?: string): ObjectInfo[];
  headObject(bucket: string, key: string): ObjectInfo | undefined;
  getObject(bucket: string, key: string): Promise<{ body: Buffer; meta: ObjectInfo } | undefined>;
  /** Resolves when the object exists (at once if it already does); rejects on timeout or abort. */
  waitForObject(
    bucket: string,
    key: string,
    opts?: { timeout?: number; signal?: AbortSignal },
  ): Promise<ObjectInfo>;
  /** Stops accepting, drains in-flight requests (bounded by stopTimeoutMs), closes idle sockets. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function positive(n: number, name: string): number {
  if (!(Number.isFinite(n) && n > 0)) throw new TypeError(`startS3Server: ${name} must be a positive number`);
  return n;
}

export function resolveOptions(o: S3ServerOptions = {}): ResolvedOptions {
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError(`startS3Server: invalid port ${o.port}`);
  const maxObjectSize = o.maxObjectSize ?? FIVE_GIB;
  if (!(maxObjectSize >= 0))
    throw new TypeError('startS3Server: maxObjectSize must be a non-negative number');
  const storage = o.storage ?? 'memory';
  const now = o.now ?? Date.now;
  const storeClock = { offsetMs: 0 };
  if (typeof storage === 'object' && storage.type === 'disk' && !storage.dir) {
    throw new TypeError('startS3Server: disk storage needs a dir');
  }
  return {
    host: o.host ?? '127.0.0.1',
    port,
    region: o.region ?? 'us-east-1',
    storage,
    identities: o.identities ?? [],
    authorize: o.authorize,
    onDecision: o.onDecision,
    domain: (o.domain ?? 'localhost').toLowerCase(),
    maxObjectSize: Math.min(maxObjectSize, FIVE_GIB),
    now,
    storeNow: () => now() + storeClock.offsetMs,
    storeClock,
    lifecycleIntervalMs: o.lifecycleIntervalMs ?? 60_000,
    onRequest: o.onRequest,
    validatePolicy: o.validatePolicy,
    idleTimeoutMs: positive(o.idleTimeoutMs ?? 20_000, 'idleTimeoutMs'),
    stopTimeoutMs: o.stopTimeoutMs ?? 5000,
    tls: o.tls,
    faults: o.faults ?? [],
    kms: new KmsKeyring(o.region ?? 'us-east-1', o.kmsKeys ?? []),
  };
}

/** Opens the storage the options name and returns the store behind the server. */
export async function openStore(options: ResolvedOptions, onEvent: (e: StoreEvent) => void): Promise<Store> {
  const s = options.storage;
  const backends = s === 'memory' || s.type === 'memory' ? memoryBackends() : await diskBackends(s.dir);
  return Store.open(backends, onEvent, options.storeNow);
}

/** The header section AWS takes at most (its RequestHeaderSectionTooLarge names 8192). */
const MAX_HEADER_BYTES = 8192;

/**
 * An S3 error for a request that was never dispatched (its headers were too large, or never
 * finished arriving), written raw, with request ids as on every response.
 */
function rawErrorResponse(err: S3Error): Buffer {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const hostId = randomBytes(48).toString('base64');
  const body = errorXml(err, '', requestId, hostId);
  return Buffer.from(
    `HTTP/1.1 400 Bad Request\r\nx-amz-request-id: ${requestId}\r\nx-amz-id-2: ${hostId}\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const REQUEST_LOG_SIZE = 1000;

export async function startS3Server(opts: S3ServerOptions = {}): Promise<S3Server> {
  const options = resolveOptions(opts);
  const events = new EventEmitter<S3ServerEvents>();
  // The last REQUEST_LOG_SIZE requests in a ring: Array#shift on a full log moved 1000 entries
  // per request.
  const log: RequestLogEntry[] = [];
  let logNext = 0;
  const store = await openStore(options, (e) => {
    if (e.type === 'object-created')
      events.emit('object-created', { bucket: e.bucket, key: e.key, object: objectInfo(e.record) });
    else events.emit('object-removed', { bucket: e.bucket, key: e.key });
  });
  const access = createServerAccess({
    store,
    identities: options.identities,
    override: options.authorize,
    now: options.now,
    onDecision: options.onDecision,
  });
  const lifecycle = createLifecycleRunner(store, options, options.lifecycleIntervalMs, (actions) =>
    events.emit('lifecycle', actions),
  );
  const faults = new S3FaultController(options.now);
  for (const rule of options.faults) faults.add(rule);
  const handler = createS3Handler({
    options,
    store,
    access,
    faults,
    onLog: (entry) => {
      if (log.length < REQUEST_LOG_SIZE) log.push(entry);
      else log[logNext] = entry;
      logNext = (logNext + 1) % REQUEST_LOG_SIZE;
      options.onRequest?.(entry);
      events.emit('request', entry);
    },
  });
  const serverOptions = {
    keepAliveTimeout: 5000,
    requestTimeout: 0,
    // Headers that never finish are the same stall as a body that never comes.
    headersTimeout: options.idleTimeoutMs,
    connectionsCheckingInterval: Math.min(30_000, Math.max(50, options.idleTimeoutMs / 4)),
    maxHeaderSize: MAX_HEADER_BYTES,
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...serverOptions, ...options.tls }, handler)
    : createServer(serverOptions, handler);
  server.on('checkContinue', (req, res) => {
    markExpectsContinue(req);
    handler(req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      socket.end(
        rawErrorResponse(
          new S3Error('RequestHeaderSectionTooLarge', undefined, {
            MaxSizeAllowed: String(MAX_HEADER_BYTES),
          }),
        ),
      );
    } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
      socket.end(rawErrorResponse(new S3Error('RequestTimeout')));
    else socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.listen(options.port, options.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => {
      lifecycle.stop();
      throw err;
    }),
  ]);
  const { port } = server.address() as AddressInfo;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    lifecycle.stop();
    stopping ??= new Promise<void>((resolve) => {
      // Requests a fault holds unanswered would otherwise keep close() waiting.
      faults.release();
      const timer = setTimeout(() => server.closeAllConnections(), options.stopTimeoutMs);
      server.close(() => {
        clearTimeout(timer);
        // After the last request: its writes are in the store's log, applied here, within the
        // same bound; what is left is replayed by the next start.
        const bound = setTimeout(resolve, options.stopTimeoutMs);
        store.close().then(
          () => {
            clearTimeout(bound);
            resolve();
          },
          (err: Error) => {
            clearTimeout(bound);
            process.emitWarning(
              `S3 storage: closing failed (${err.message}); the next start replays its log`,
              {
                code: 'S3_STORAGE_CLOSE',
              },
            );
            resolve();
          },
        );
      });
      server.closeIdleConnections();
    });
    return stopping;
  };

  const listObjects = (bucket: string, prefix = '') =>
    store
      .keys(bucket)
      .filter((k) => k.startsWith(prefix))
      .map((k) => store.head(bucket, k))
      .filter((r) => r !== undefined)
      .map(objectInfo);

  return {
    url: `${options.tls ? 'https' : 'http'}://${hostForUrl}:${port}`,
    host: options.host,
    port,
    region: options.region,
    domain: options.domain,
    events,
    on(event, listener) {
      const l = listener as (...args: unknown[]) => void;
      (events as EventEmitter).on(event, l);
      return () => (events as EventEmitter).off(event, l);
    },
    requests: () =>
      log.length < REQUEST_LOG_SIZE ? [...log] : [...log.slice(logNext), ...log.slice(0, logNext)],
    lifecycle: { now: lifecycle.now, advance: lifecycle.advance, run: lifecycle.run },
    // The handle exposes the rule set only; intercept/release stay with the server.
    faults: {
      add: (rule) => faults.add(rule),
      list: () => faults.list(),
      remove: (id) => faults.remove(id),
      clear: () => faults.clear(),
    },
    putIdentity: (identity, policies) => access.identities.put(identity, policies),
    removeIdentity: (accessKeyId) => {
      access.identities.remove(accessKeyId);
    },
    setIdentityActive: (accessKeyId, active) => access.identities.setActive(accessKeyId, active),
    identities: () => access.identities.list(),
    decisions: (filter) => access.decisions(filter),
    clearDecisions: () => access.clearDecisions(),
    listBuckets: () =>
      store.listBuckets().map((b) => ({ name: b.name, region: b.region, creationDate: new Date(b.created) })),
    async createBucket(name, o = {}) {
      const problem = bucketNameProblem(name);
      if (problem) throw new S3Error('InvalidBucketName', problem, { BucketName: name });
      await store.createBucket({
        name,
        region: o.region ?? options.region,
        created: Math.floor(options.storeNow() / 1000) * 1000,
        owner: 'root',
        configs: { publicAccessBlock: defaultPublicAccessBlock() },
      });
    },
    listObjects,
    headObject(bucket, key) {
      const rec = store.head(bucket, key);
      return rec && objectInfo(rec);
    },
    async getObject(bucket, key) {
      const rec = store.head(bucket, key);
      if (!rec) return undefined;
      const chunks: Buffer[] = [];
      for await (const c of store.read(rec, 0, rec.size - 1)) chunks.push(c as Buffer);
      return { body: Buffer.concat(chunks), meta: objectInfo(rec) };
    },
    waitForObject(bucket, key, o = {}) {
      const existing = store.head(bucket, key);
      if (existing) return Promise.resolve(objectInfo(existing));
      return new Promise<ObjectInfo>((resolve, reject) => {
        const timeout = o.timeout ?? 5000;
        const cleanup = () => {
          clearTimeout(timer);
          events.off('object-created', onCreated);
          o.signal?.removeEventListener('abort', onAbort);
        };
        const onCreated = (e: ObjectCreatedEvent) => {
          if (e.bucket !== bucket || e.key !== key) return;
          cleanup();
          resolve(e.object);
        };
        const onAbort = () => {
          cleanup();
          reject(o.signal?.reason ?? new Error('aborted'));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`waitForObject: s3://${bucket}/${key} did not appear within ${timeout} ms`));
        }, timeout);
        events.on('object-created', onCreated);
        if (o.signal?.aborted) onAbort();
        else o.signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
