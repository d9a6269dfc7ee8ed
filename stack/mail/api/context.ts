import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ParsedCache } from '../parse/parsed-cache.ts';
import type { MailStats } from '../store/stats.ts';
import type { MailStore, MessageSummary } from '../store/types.ts';

export interface ApiContext {
  store: MailStore;
  cache: ParsedCache;
  stats: MailStats;
  caCertPem?: string;
  version: string;
  /** Upper bound for /wait and open event streams, so a stuck client cannot hold one forever. */
  maxWaitMs: number;
}

export interface RouteArgs {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
}

export interface Route {
  method: string;
  path: RegExp;
  handle(ctx: ApiContext, args: RouteArgs): void | Promise<void>;
}

/** Newest first, limited to ?scope= when given. */
export function scopedList(ctx: ApiContext, url: URL): MessageSummary[] {
  const scope = url.searchParams.get('scope');
  const all = ctx.store.list();
  return scope ? all.filter((m) => m.scopes.includes(scope)) : all;
}
