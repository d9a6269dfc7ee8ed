import type { Route as GenericRoute } from '../../util/router.ts';
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

export type { RouteArgs } from '../../util/router.ts';
export type Route = GenericRoute<ApiContext>;

/** Newest first, limited to ?scope= when given. */
export function scopedList(ctx: ApiContext, url: URL): MessageSummary[] {
  const scope = url.searchParams.get('scope');
  const all = ctx.store.list();
  return scope ? all.filter((m) => m.scopes.includes(scope)) : all;
}
