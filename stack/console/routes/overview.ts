// GET /api/stack/overview: endpoints, credentials, env and engine, plus which pages have data.
import type { Route } from '../context.ts';
import { sendJson } from '../http.ts';

export const overviewRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/stack\/overview$/,
    async handle(ctx, { res }) {
      sendJson(res, 200, {
        ...(await ctx.overview()),
        features: { mail: ctx.hasMail, storage: Boolean(ctx.s3), requests: Boolean(ctx.s3Server) },
      });
    },
  },
];
