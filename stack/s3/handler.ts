// The request dispatcher: addressing, CORS headers, authentication, routing, region check,
// authorization, then the operation. Every failure becomes an S3 error document; anything
// unexpected is a logged 500 InternalError, never a crash.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { address } from './addressing.ts';
import { corsResponseHeaders } from './authz/cors.ts';
import type { AccessDecision, AccessRequest } from './authz/types.ts';
import { S3Error } from './errors.ts';
import type { S3FaultController } from './faults/s3-faults.ts';
import { authenticate, wrongRegionError } from './ingest/index.ts';
import type { AuthContext } from './ingest/types.ts';
import { corsPreflight } from './ops/bucket-cors.ts';
import { getObject } from './ops/get-object.ts';
import type { RequestLogEntry, ResolvedOptions } from './options.ts';
import { releaseUnreadBody } from './release-body.ts';
import { requestConditions } from './request-conditions.ts';
import { bucketArn, objectArn, type RequestContext } from './request-context.ts';
import { sendError } from './respond.ts';
import { type Route, resolveRoute } from './routes.ts';
import type { ServerAccess } from './server-access.ts';
import type { Store } from './storage/store.ts';

export interface HandlerDeps {
  options: ResolvedOptions;
  store: Store;
  access: ServerAccess;
  /** Called once per finished request. */
  onLog?: (entry: RequestLogEntry) => void;
  /** Where unexpected exceptions are reported. @default console.error */
  onInternalError?: (err: unknown, entry: RequestLogEntry) => void;
  /** Fault injection (stack/s3/faults). @default none */
  faults?: S3FaultController;
}

const REQUEST_ID_BYTES = 8;
const HOST_ID_BYTES = 48;
const IDS_PER_FILL = 256;

/**
 * Request ids drawn from a pooled random buffer: one randomBytes call and two encodings per
 * 256 requests instead of per request. A request id is 16 upper-case hex digits, a host id
 * the base64 of 48 random bytes (48 is a multiple of 3, so each id's base64 is an exact slice
 * of the whole block's).
 */
function requestIdSource(): () => { requestId: string; hostId: string } {
  let hex = '';
  let base64 = '';
  let next = IDS_PER_FILL;
  const hexLength = REQUEST_ID_BYTES * 2;
  const base64Length = (HOST_ID_BYTES / 3) * 4;
  return () => {
    if (next === IDS_PER_FILL) {
      const pool = randomBytes((REQUEST_ID_BYTES + HOST_ID_BYTES) * IDS_PER_FILL);
      const split = REQUEST_ID_BYTES * IDS_PER_FILL;
      hex = pool.toString('hex', 0, split).toUpperCase();
      base64 = pool.toString('base64', split);
      next = 0;
    }
    const i = next++;
    return {
      requestId: hex.slice(i * hexLength, (i + 1) * hexLength),
      hostId: base64.slice(i * base64Length, (i + 1) * base64Length),
    };
  };
}

function splitUrl(url: string): { rawPath: string; rawQuery: string } {
  let u = url;
  // absolute-form request targets (proxies) carry scheme and authority
  const m = u.charCodeAt(0) === 0x2f ? null : /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(u);
  if (m) u = u.slice(m[0].length) || '/';
  const q = u.indexOf('?');
  return q < 0 ? { rawPath: u, rawQuery: '' } : { rawPath: u.slice(0, q), rawQuery: u.slice(q + 1) };
}

function routeResource(route: Route, bucket?: string, key?: string): string {
  if (route.scope === 'service') return '*';
  if (route.scope === 'bucket') return bucketArn(bucket!);
  return objectArn(bucket!, key!);
}

/** An actual cross-origin request gets the matching rule's headers, errors included (as S3 does). */
function applyCors(req: IncomingMessage, res: ServerResponse, store: Store, bucket: string, method: string) {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const acrm = req.headers['access-control-request-method'];
  const headers = corsResponseHeaders(store.bucket(bucket)?.configs.cors, {
    origin,
    method,
    accessControlRequestMethod: typeof acrm === 'string' ? acrm : undefined,
  });
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
}

function isClientGone(err: unknown, req: IncomingMessage): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return (
    req.destroyed ||
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'EPIPE' ||
    (err as Error)?.message === 'aborted'
  );
}

const NO_CONTEXT: Record<string, string> = Object.freeze({}) as Record<string, string>;

const ANONYMOUS: AuthContext = { identity: null, via: 'anonymous', payload: 'anonymous', signedHeaders: [] };

/**
 * The headers every response carries: x-amz-request-id, x-amz-id-2, Server. Set on the response
 * before anything else sets a header (so they come first, as they always have), except that
 * GetObject/HeadObject take them as pairs into one res.writeHead with their own.
 */
class BaseHeaders {
  #res: ServerResponse;
  #pairs: string[] | undefined;

  constructor(res: ServerResponse, requestId: string, hostId: string) {
    this.#res = res;
    this.#pairs = ['x-amz-request-id', requestId, 'x-amz-id-2', hostId, 'Server', 'AmazonS3'];
  }

  /** The pairs while they are not set and no header was sent. */
  pending(): readonly string[] | undefined {
    return this.#res.headersSent ? undefined : this.#pairs;
  }

  settle(): void {
    const pairs = this.#pairs;
    if (pairs === undefined) return;
    this.#pairs = undefined;
    if (this.#res.headersSent) return;
    for (let i = 0; i < pairs.length; i += 2) this.#res.setHeader(pairs[i]!, pairs[i + 1]!);
  }
}

/**
 * The RequestContext the dispatcher builds. A class (one shape, accessors on the prototype):
 * the condition keys are built on first use, as of the request's arrival, so an authorization
 * that reads none (the root user's) never pays for them.
 */
class HandlerContext implements RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  hostId: string;
  options: ResolvedOptions;
  store: Store;
  access: ServerAccess;
  auth: AuthContext;
  query: URLSearchParams;
  bucket?: string;
  key?: string;
  resource: string;
  log: RequestLogEntry;
  #at: number;
  #conditions: Record<string, string | string[]> | undefined;
  #headers: BaseHeaders;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    hostId: string,
    options: ResolvedOptions,
    store: Store,
    access: ServerAccess,
    auth: AuthContext,
    query: URLSearchParams,
    where: { bucket?: string; key?: string },
    resource: string,
    log: RequestLogEntry,
    headers: BaseHeaders,
  ) {
    this.req = req;
    this.res = res;
    this.requestId = requestId;
    this.hostId = hostId;
    this.options = options;
    this.store = store;
    this.access = access;
    this.auth = auth;
    this.query = query;
    this.bucket = where.bucket;
    this.key = where.key;
    this.resource = resource;
    this.log = log;
    this.#headers = headers;
    this.#at = options.now();
    // Where the keys are read, they are read now (the socket's address while it is there).
    this.#conditions = access.readsContext(auth.identity)
      ? requestConditions(req, auth, this.#at)
      : undefined;
  }

  pendingHeaders(): readonly string[] | undefined {
    return this.#headers.pending();
  }

  settleHeaders(): void {
    this.#headers.settle();
  }

  get conditions(): Record<string, string | string[]> {
    this.#conditions ??= requestConditions(this.req, this.auth, this.#at);
    return this.#conditions;
  }

  set conditions(value: Record<string, string | string[]>) {
    this.#conditions = value;
  }

  authorize(
    action: string,
    resource: string,
    extra: Record<string, string | string[]> = {},
    soft = false,
  ): Promise<AccessDecision> {
    try {
      const decision = decide(this, action, resource, extra, soft);
      return decision instanceof Promise ? decision : Promise.resolve(decision);
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/**
 * Asks the authorizer as `ctx.auth.identity` and records the decision in the request's log
 * entry; throws AccessDenied unless `soft`. A promise only when the authorizer is asynchronous
 * (a caller's hook): the policy engine's answer needs no await.
 */
function decide(
  ctx: RequestContext,
  action: string,
  resource: string,
  extra: Record<string, string | string[]>,
  soft: boolean,
): AccessDecision | Promise<AccessDecision> {
  // Bucket and key of the resource asked about (CopyObject's source, DeleteObjects' keys).
  const arn = resource.startsWith('arn:aws:s3:::') ? resource.slice('arn:aws:s3:::'.length) : undefined;
  const slash = arn?.indexOf('/') ?? -1;
  const principal = ctx.auth.identity;
  const request: AccessRequest = {
    requestId: ctx.requestId,
    operation: ctx.log.operation,
    action,
    resource,
    principal,
    bucket: arn === undefined ? undefined : slash < 0 ? arn : arn.slice(0, slash),
    key: arn === undefined || slash < 0 ? undefined : arn.slice(slash + 1),
    // Not built when the authorizer never reads it (the root user with the policy engine).
    context: ctx.access.readsContext(principal) ? { ...ctx.conditions, ...extra } : NO_CONTEXT,
  };
  const record = (decision: AccessDecision): AccessDecision => {
    ctx.log.decisions.push({ action, resource, ...decision });
    if (!decision.allowed && !soft) throw new S3Error('AccessDenied');
    return decision;
  };
  const decision = ctx.access.decide(request);
  return decision instanceof Promise ? decision.then(record) : record(decision);
}

export function createS3Handler(deps: HandlerDeps): RequestListener {
  const { options, store, access } = deps;
  const lookup = (accessKeyId: string) => access.identities.lookup(accessKeyId);
  const requestIds = requestIdSource();

  return (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const { requestId, hostId } = requestIds();
    const method = req.method ?? 'GET';
    const { rawPath, rawQuery } = splitUrl(req.url ?? '/');
    // Set before any other header (see BaseHeaders), unless GetObject writes them itself.
    const baseHeaders = new BaseHeaders(res, requestId, hostId);
    const log: RequestLogEntry = {
      id: requestId,
      time: options.now(),
      method,
      path: rawPath,
      principal: null,
      operation: 'Unknown',
      status: 0,
      durationMs: 0,
      decisions: [],
    };
    let resource = rawPath;
    // The log entry goes out once the response is closed AND the handler has finished its
    // cleanup (an aborted upload's temp file is gone by then).
    let pending = 2;
    const settle = () => {
      if (--pending > 0) return;
      log.status = res.statusCode;
      log.durationMs = Date.now() - started;
      deps.onLog?.(log);
    };
    res.on('close', settle);

    let answeredError = false;
    const fail = (err: unknown) => {
      // A timed-out request was answered already; its operation failing afterwards is expected.
      if (answeredError) return;
      let s3err: S3Error;
      if (err instanceof S3Error) s3err = err;
      else if (isClientGone(err, req)) {
        log.errorCode = 'ClientDisconnected';
        if (!res.headersSent) res.statusCode = 499;
        res.destroy();
        return;
      } else {
        s3err = new S3Error('InternalError');
        (
          deps.onInternalError ??
          ((e, entry) => console.error(`[s3] ${entry.id} ${entry.method} ${entry.path}:`, e))
        )(err, log);
      }
      answeredError = true;
      log.errorCode = s3err.code;
      baseHeaders.settle();
      // A body left unread behind an early error must not stall the connection.
      if (!req.complete) releaseUnreadBody(req, res);
      sendError(res, method, s3err, resource, requestId, hostId);
    };

    // A client that stops sending (or reading) mid-request: S3 answers RequestTimeout and
    // closes. A server busy with a long operation (a large copy) is not the client's stall.
    res.setTimeout(options.idleTimeoutMs, () => {
      // Ended and handed to the socket: nothing left to wait for.
      if (res.writableFinished) return;
      if (req.complete) {
        // Headers out and bytes waiting for a client that stopped reading (also after the
        // response has ended: its last bytes would otherwise wait forever).
        if (res.headersSent && (res.writableNeedDrain || res.writableEnded)) {
          log.errorCode = 'RequestTimeout';
          res.destroy();
        }
        return;
      }
      if (res.headersSent) {
        log.errorCode = 'RequestTimeout';
        res.destroy();
        return;
      }
      baseHeaders.settle();
      res.setHeader('Connection', 'close');
      fail(new S3Error('RequestTimeout'));
      // Unblocks whatever still waits for the body; the answer is on its way out.
      res.once('finish', () => req.destroy());
    });

    const run = async () => {
      const query = new URLSearchParams(rawQuery);
      const where = address(rawPath, req.headers.host, options.domain);
      if (where.bucket !== undefined)
        resource = `/${where.bucket}${where.key !== undefined ? `/${where.key}` : ''}`;
      log.bucket = where.bucket;
      log.key = where.key;

      const makeCtx = (auth: AuthContext): RequestContext =>
        new HandlerContext(
          req,
          res,
          requestId,
          hostId,
          options,
          store,
          access,
          auth,
          query,
          where,
          resource,
          log,
          baseHeaders,
        );

      if (where.bucket !== undefined && method !== 'OPTIONS' && req.headers.origin !== undefined) {
        baseHeaders.settle();
        applyCors(req, res, store, where.bucket, method);
      }

      if (method === 'OPTIONS' && where.bucket !== undefined) {
        baseHeaders.settle();
        log.operation = 'PreflightCors';
        await corsPreflight(makeCtx(ANONYMOUS));
        return;
      }

      const auth = authenticate(
        { method, rawPath, rawQuery, headers: req.headers, rawHeaders: req.rawHeaders },
        { lookup, now: options.now },
      );
      log.principal = auth.identity?.name ?? null;
      const route = resolveRoute(method, where.scope, query, req.headers);
      log.operation = route.operation;
      const ctx = makeCtx(auth);

      // Fault injection: once the operation and principal are known, before anything runs. It
      // may throw the injected error, delay, or take the response over (held, dropped).
      if (deps.faults) {
        const event = {
          operation: route.operation,
          bucket: where.bucket,
          key: where.key,
          principal: log.principal,
        };
        const outcome = deps.faults.intercept(event, req, res, log);
        if ((outcome instanceof Promise ? await outcome : outcome) === 'handled') return;
      }

      if (where.bucket !== undefined) {
        const bucket = store.bucket(where.bucket);
        // Bucket names are global: a missing bucket is NoSuchBucket to everyone, before any
        // policy is consulted.
        if (!bucket && route.operation !== 'CreateBucket') {
          throw new S3Error('NoSuchBucket', undefined, { BucketName: where.bucket });
        }
        if (bucket && auth.signedRegion && auth.signedRegion !== bucket.region && !route.anyRegion) {
          const e = wrongRegionError(auth, bucket.region);
          throw new S3Error(e.code, e.message, e.extra, {
            ...e.headers,
            'x-amz-bucket-region': bucket.region,
          });
        }
        if (bucket && route.operation === 'HeadBucket') {
          baseHeaders.settle();
          res.setHeader('x-amz-bucket-region', bucket.region);
        }
      }
      if (where.key !== undefined && Buffer.byteLength(where.key) > 1024) {
        throw new S3Error('KeyTooLongError', undefined, {
          MaxSizeAllowed: '1024',
          Size: String(Buffer.byteLength(where.key)),
        });
      }
      if (route.action) {
        const decision = decide(
          ctx,
          typeof route.action === 'function' ? route.action(ctx) : route.action,
          routeResource(route, where.bucket, where.key),
          route.conditions?.(ctx) ?? {},
          false,
        );
        if (decision instanceof Promise) await decision;
      }
      // GetObject/HeadObject write every header at once (pendingHeaders); the rest set theirs
      // one by one after these.
      if (route.handler !== getObject) baseHeaders.settle();
      await route.handler(ctx);
    };

    run().then(settle, (err: unknown) => {
      try {
        fail(err);
      } finally {
        settle();
      }
    });
  };
}
