// The S3 request log (embedded engine) and the authorization decision log.
import type { Route } from '../context.ts';
import { ConsoleError } from '../errors.ts';
import { sendJson } from '../http.ts';
import { filterRequests, toConsoleRequest } from '../request-log.ts';

function bool(url: URL, name: string): boolean | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new ConsoleError('BAD_REQUEST', `${name}=${v}: expected true or false`);
}

function limit(url: URL): number | undefined {
  const v = url.searchParams.get('limit');
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new ConsoleError('BAD_REQUEST', `limit=${v}: expected 1-1000`);
  return n;
}

export const requestRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/stack\/requests$/,
    handle(ctx, { res, url }) {
      if (!ctx.s3Server) {
        throw new ConsoleError(
          'NOT_CONFIGURED',
          'The request log is kept by the embedded S3 engine; this stack runs another engine',
        );
      }
      const decisions = ctx.decisions?.();
      const isOwn = (id: string) => ctx.s3?.ownRequests.has(id) ?? false;
      const all = ctx.s3Server.requests().map((e) => toConsoleRequest(e, decisions, isOwn));
      const p = url.searchParams;
      sendJson(res, 200, {
        requests: filterRequests(all, {
          q: p.get('q') ?? undefined,
          principal: p.get('principal') || undefined,
          bucket: p.get('bucket') || undefined,
          operation: p.get('operation') || undefined,
          denied: bool(url, 'denied'),
          includeConsole: bool(url, 'console') ?? false,
          limit: limit(url),
        }),
      });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/stack\/decisions$/,
    handle(ctx, { res, url }) {
      if (!ctx.decisions)
        throw new ConsoleError('NOT_CONFIGURED', 'No decision log was given to the console');
      const allowed = bool(url, 'allowed');
      const principal = url.searchParams.get('principal') || undefined;
      const requestId = url.searchParams.get('requestId') || undefined;
      const kept = ctx
        .decisions()
        .filter(
          (d) =>
            (allowed === undefined || d.allowed === allowed) &&
            (principal === undefined || d.principal === principal || d.principal.endsWith(`/${principal}`)) &&
            (requestId === undefined || d.requestId === requestId),
        );
      const n = limit(url) ?? 500;
      sendJson(res, 200, { decisions: kept.slice(Math.max(0, kept.length - n)).reverse() });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/stack\/events$/,
    handle(ctx, { res }) {
      ctx.events.attach(res);
    },
  },
];
