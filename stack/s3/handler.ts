// The request dispatcher: addressing, authentication, routing, region check, CORS headers,
// authorization, then the operation. Every failure becomes an S3 error document; anything
// unexpected is a logged 500 InternalError, never a crash.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { address } from './addressing.ts';
import type { AccessDecision, AccessRequest } from './authz/types.ts';
import { corsHeaders, matchCorsRule } from './cors.ts';
import { S3Error } from './errors.ts';
import { authenticate, wrongRegionError } from './ingest/index.ts';
import type { AuthContext } from './ingest/types.ts';
import { corsPreflight } from './ops/bucket-cors.ts';
import type { RequestLogEntry, ResolvedOptions } from './options.ts';
import { bucketArn, objectArn, type RequestContext } from './request-context.ts';
import { sendError } from './respond.ts';
import { type Route, resolveRoute } from './routes.ts';
import type { Store } from './storage/store.ts';

export interface HandlerDeps {
  options: ResolvedOptions;
  store: Store;
  /** Called once per finished request. */
  onLog?: (entry: RequestLogEntry) => void;
  /** Where unexpected exceptions are reported. @default console.error */
  onInternalError?: (err: unknown, entry: RequestLogEntry) => void;
}

function requestIds(): { requestId: string; hostId: string } {
  return {
    requestId: randomBytes(8).toString('hex').toUpperCase(),
    hostId: randomBytes(48).toString('base64'),
  };
}

function splitUrl(url: string): { rawPath: string; rawQuery: string } {
  let u = url;
  // absolute-form request targets (proxies) carry scheme and authority
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(u);
  if (m) u = u.slice(m[0].length) || '/';
  const q = u.indexOf('?');
  return q < 0 ? { rawPath: u, rawQuery: '' } : { rawPath: u.slice(0, q), rawQuery: u.slice(q + 1) };
}

function sourceIp(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function baseConditions(req: IncomingMessage, auth: AuthContext, now: number): Record<string, string> {
  const c: Record<string, string> = {
    'aws:SourceIp': sourceIp(req),
    'aws:SecureTransport': String(Boolean((req.socket as TLSSocket).encrypted)),
    'aws:CurrentTime': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    's3:signatureversion': 'AWS4-HMAC-SHA256',
  };
  const id = auth.identity;
  if (id) {
    c['aws:PrincipalArn'] = id.arn;
    c['aws:PrincipalType'] = id.root ? 'Account' : 'User';
    if (!id.root) c['aws:username'] = id.name;
    c['s3:authType'] = auth.via === 'presigned' ? 'REST-QUERY-STRING' : 'REST-HEADER';
  } else {
    c['aws:PrincipalType'] = 'Anonymous';
  }
  if (auth.contentSha256 !== undefined) c['s3:x-amz-content-sha256'] = auth.contentSha256;
  const h = req.headers;
  const copyHeaders: [string, string][] = [
    ['x-amz-server-side-encryption', 's3:x-amz-server-side-encryption'],
    ['x-amz-server-side-encryption-aws-kms-key-id', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
    ['x-amz-acl', 's3:x-amz-acl'],
    ['x-amz-storage-class', 's3:x-amz-storage-class'],
    ['x-amz-copy-source', 's3:x-amz-copy-source'],
    ['x-amz-metadata-directive', 's3:x-amz-metadata-directive'],
    ['referer', 'aws:Referer'],
    ['user-agent', 'aws:UserAgent'],
  ];
  for (const [header, key] of copyHeaders) {
    const v = h[header];
    if (typeof v === 'string') c[key] = v;
  }
  return c;
}

/** The default policy: any signed identity may do anything; anonymous may do nothing. */
export function defaultAuthorize(r: AccessRequest): AccessDecision {
  return r.principal
    ? {
        allowed: true,
        reason: 'authenticated identity; no policy engine configured',
        decidedBy: { policy: 'default' },
      }
    : {
        allowed: false,
        reason: 'anonymous requests are denied when no policy engine is configured',
        decidedBy: { policy: 'default' },
      };
}

function routeResource(route: Route, bucket?: string, key?: string): string {
  if (route.scope === 'service') return '*';
  if (route.scope === 'bucket') return bucketArn(bucket!);
  return objectArn(bucket!, key!);
}

function applyCors(ctx: RequestContext, method: string): void {
  const origin = ctx.req.headers.origin;
  if (!origin || !ctx.bucket) return;
  const rules = ctx.store.bucket(ctx.bucket)?.configs.cors;
  if (!rules) return;
  const rule = matchCorsRule(rules, origin, method);
  if (!rule) return;
  for (const [k, v] of Object.entries(corsHeaders(rule, origin))) ctx.res.setHeader(k, v);
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

export function createS3Handler(deps: HandlerDeps): RequestListener {
  const { options, store } = deps;
  const lookup = (accessKeyId: string) =>
    options.identities.find((i) => i.accessKeyId === accessKeyId && i.active !== false);

  return (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const { requestId, hostId } = requestIds();
    const method = req.method ?? 'GET';
    const { rawPath, rawQuery } = splitUrl(req.url ?? '/');
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', hostId);
    res.setHeader('Server', 'AmazonS3');
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

    const fail = (err: unknown) => {
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
      log.errorCode = s3err.code;
      // An unread body left behind an early error: close rather than drain gigabytes.
      if (!req.complete) res.setHeader('Connection', 'close');
      sendError(res, method, s3err, resource, requestId, hostId);
    };

    const run = async () => {
      const query = new URLSearchParams(rawQuery);
      const where = address(rawPath, req.headers.host, options.domain);
      if (where.bucket !== undefined)
        resource = `/${where.bucket}${where.key !== undefined ? `/${where.key}` : ''}`;
      log.bucket = where.bucket;
      log.key = where.key;

      const makeCtx = (auth: AuthContext): RequestContext => {
        const ctx: RequestContext = {
          req,
          res,
          requestId,
          hostId,
          options,
          store,
          auth,
          query,
          bucket: where.bucket,
          key: where.key,
          resource,
          log,
          conditions: baseConditions(req, auth, options.now()),
          async authorize(action, res0, extra = {}, soft = false) {
            // Bucket and key of the resource asked about (CopyObject's source, DeleteObjects' keys).
            const arn = res0.startsWith('arn:aws:s3:::') ? res0.slice('arn:aws:s3:::'.length) : undefined;
            const slash = arn?.indexOf('/') ?? -1;
            const request: AccessRequest = {
              requestId,
              operation: log.operation,
              action,
              resource: res0,
              principal: auth.identity,
              bucket: arn === undefined ? undefined : slash < 0 ? arn : arn.slice(0, slash),
              key: arn === undefined || slash < 0 ? undefined : arn.slice(slash + 1),
              context: { ...ctx.conditions, ...extra },
            };
            const decision = await options.authorize(request);
            log.decisions.push({ action, resource: res0, ...decision });
            if (!decision.allowed && !soft) throw new S3Error('AccessDenied');
            return decision;
          },
        };
        return ctx;
      };

      if (method === 'OPTIONS' && where.bucket !== undefined) {
        log.operation = 'PreflightCors';
        await corsPreflight(
          makeCtx({ identity: null, via: 'anonymous', payload: 'anonymous', signedHeaders: [] }),
        );
        return;
      }

      const auth = authenticate(
        { method, rawPath, rawQuery, headers: req.headers },
        { lookup, now: options.now },
      );
      log.principal = auth.identity?.name ?? null;
      const route = resolveRoute(method, where.scope, query, req.headers);
      log.operation = route.operation;
      const ctx = makeCtx(auth);

      if (where.bucket !== undefined) {
        const bucket = store.bucket(where.bucket);
        if (bucket && auth.signedRegion && auth.signedRegion !== bucket.region && !route.anyRegion) {
          const e = wrongRegionError(auth, bucket.region);
          throw new S3Error(e.code, e.message, e.extra, {
            ...e.headers,
            'x-amz-bucket-region': bucket.region,
          });
        }
        if (bucket && route.operation === 'HeadBucket') res.setHeader('x-amz-bucket-region', bucket.region);
      }
      if (where.key !== undefined && Buffer.byteLength(where.key) > 1024) {
        throw new S3Error('KeyTooLongError', undefined, {
          MaxSizeAllowed: '1024',
          Size: String(Buffer.byteLength(where.key)),
        });
      }
      applyCors(ctx, method);
      if (route.action) {
        await ctx.authorize(
          route.action,
          routeResource(route, where.bucket, where.key),
          route.conditions?.(ctx) ?? {},
        );
      }
      await route.handler(ctx);
    };

    run().catch(fail).finally(settle);
  };
}
