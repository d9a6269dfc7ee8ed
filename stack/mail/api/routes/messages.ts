// GET/PUT/DELETE /api/v1/messages and GET/DELETE /api/v1/search (Mailpit's list shapes).
import { MailError } from '../../errors.ts';
import { tagCounts } from '../../parse/tags.ts';
import { compileQuery } from '../../search/query.ts';
import type { MessageSummary } from '../../store/types.ts';
import { type Route, scopedList } from '../context.ts';
import { intParam, readJsonBody, sendJson, sendText } from '../http.ts';
import { listItem } from '../shapes.ts';

function summaryResponse(url: URL, inScope: MessageSummary[], matching: MessageSummary[]) {
  const start = intParam(url, 'start', 0);
  const limit = intParam(url, 'limit', 50, 0);
  const page = matching.slice(start, start + (limit || 50));
  const tags = [...tagCounts(inScope.toReversed().map((m) => m.tags)).keys()];
  return {
    total: inScope.length,
    unread: inScope.filter((m) => !m.read).length,
    count: page.length,
    messages_count: matching.length,
    messages_unread: matching.filter((m) => !m.read).length,
    start,
    tags,
    messages: page.map(listItem),
  };
}

function requiredQuery(url: URL): string {
  const query = (url.searchParams.get('query') ?? '').trim();
  if (!query) throw new MailError('BAD_REQUEST', 'Error: no search query');
  return query;
}

export const messageListRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/v1\/messages$/,
    handle(ctx, { res, url }) {
      const inScope = scopedList(ctx, url);
      sendJson(res, 200, summaryResponse(url, inScope, inScope));
    },
  },
  {
    method: 'PUT',
    path: /^\/api\/v1\/messages$/,
    async handle(ctx, { req, res, url }) {
      const body = (await readJsonBody<{ Read?: boolean; IDs?: string[]; Search?: string }>(req)) ?? {};
      if (body.IDs?.length && body.Search) {
        throw new MailError('BAD_REQUEST', 'You may specify either IDs or a search query, not both');
      }
      const inScope = scopedList(ctx, url);
      const ids = body.IDs?.length
        ? body.IDs
        : (body.Search ? inScope.filter(compileQuery(body.Search)) : inScope).map((m) => m.id);
      ctx.store.setRead(ids, Boolean(body.Read));
      sendText(res, 200, 'ok');
    },
  },
  {
    method: 'DELETE',
    path: /^\/api\/v1\/messages$/,
    async handle(ctx, { req, res, url }) {
      const body = await readJsonBody<{ IDs?: string[] }>(req).catch(() => undefined);
      const ids = body?.IDs?.length ? body.IDs : scopedList(ctx, url).map((m) => m.id);
      await ctx.store.delete(ids);
      sendText(res, 200, 'ok');
    },
  },
  {
    method: 'GET',
    path: /^\/api\/v1\/search$/,
    handle(ctx, { res, url }) {
      const inScope = scopedList(ctx, url);
      sendJson(res, 200, summaryResponse(url, inScope, inScope.filter(compileQuery(requiredQuery(url)))));
    },
  },
  {
    method: 'DELETE',
    path: /^\/api\/v1\/search$/,
    async handle(ctx, { res, url }) {
      const matching = scopedList(ctx, url).filter(compileQuery(requiredQuery(url)));
      await ctx.store.delete(matching.map((m) => m.id));
      sendText(res, 200, 'ok');
    },
  },
];
