// Everything one request's handler needs, built once by the dispatcher.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessDecision } from './authz/types.ts';
import type { AuthContext } from './ingest/types.ts';
import type { RequestLogEntry, ResolvedOptions } from './options.ts';
import type { ServerAccess } from './server-access.ts';
import type { Store } from './storage/store.ts';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  hostId: string;
  options: ResolvedOptions;
  store: Store;
  /** Identities, the authorizer and parsed bucket policies. */
  access: ServerAccess;
  /** Who signed the request; POST Object replaces it once the form's signature is verified. */
  auth: AuthContext;
  /** Decoded query parameters (first value wins). */
  query: URLSearchParams;
  bucket?: string;
  key?: string;
  /** The path as S3 names it in `<Resource>`. */
  resource: string;
  log: RequestLogEntry;
  /** Condition keys common to every authorization of this request (follow `auth`). */
  conditions: Record<string, string | string[]>;
  /**
   * The headers every response carries (x-amz-request-id, x-amz-id-2, Server) as name/value
   * pairs while none is set on `res` yet, else undefined. The dispatcher sets them before any
   * operation but GetObject/HeadObject, which write their whole header list in one
   * res.writeHead(status, [...these, ...their own]); settleHeaders() sets them otherwise.
   */
  pendingHeaders(): readonly string[] | undefined;
  /** Sets the pending headers on `res` (a no-op once they are set, or once headers were sent). */
  settleHeaders(): void;
  /**
   * Asks the authorizer as `auth.identity`; throws AccessDenied unless `soft`. Extra condition
   * keys are merged in. The decision is recorded in the request's log entry.
   */
  authorize(
    action: string,
    resource: string,
    extra?: Record<string, string | string[]>,
    soft?: boolean,
  ): Promise<AccessDecision>;
}

export function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.req.headers[name];
  if (Array.isArray(v)) return v.join(',');
  return v;
}

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}
