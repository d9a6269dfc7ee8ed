// The mail API as a plain node:http handler: mount it on any server (the console), or run it
// alone with startMailApi(). Paths and JSON shapes follow Mailpit's /api/v1; ours (wait,
// events, extract, ca.pem, ?scope=) sit beside them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dispatch } from '../../util/router.ts';
import { ParsedCache } from '../parse/parsed-cache.ts';
import { MailStats } from '../store/stats.ts';
import type { MailStore } from '../store/types.ts';
import type { ApiContext, Route } from './context.ts';
import { sendError, sendText } from './http.ts';
import { eventRoutes } from './routes/events.ts';
import { infoRoutes } from './routes/info.ts';
import { messageRoutes } from './routes/message.ts';
import { messageListRoutes } from './routes/messages.ts';
import { waitRoutes } from './routes/wait.ts';

export interface MailApiOptions {
  /** Served at GET /api/v1/ca.pem so clients can trust the SMTP listeners. @default undefined (404) */
  caCertPem?: string;
  /** Shared counters; pass the server's so SMTP rejections show in /info. @default new counters */
  stats?: MailStats;
  /** Longest /wait a client may ask for, in ms. @default 300000 */
  maxWaitMs?: number;
  /** More routes, tried after the built-in ones (the server's /message/{ID}/auth). @default [] */
  routes?: Route[];
}

export type MailApiHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void;

const ROUTES: Route[] = [
  ...messageListRoutes,
  ...messageRoutes,
  ...waitRoutes,
  ...eventRoutes,
  ...infoRoutes,
];
export const MAIL_API_VERSION = 'captured-mail 1.0 (Mailpit API v1 compatible)';

/**
 * Returns a handler for Mailpit's /api/v1 paths (and /view/{id}.txt|html). A request for any
 * other path goes to `next` when given (so it can be mounted in front of a UI), else 404.
 */
export function createMailApi(store: MailStore, options: MailApiOptions = {}): MailApiHandler {
  const ctx: ApiContext = {
    store,
    cache: new ParsedCache(store),
    stats: options.stats ?? new MailStats(store),
    caCertPem: options.caCertPem,
    version: MAIL_API_VERSION,
    maxWaitMs: options.maxWaitMs ?? 300_000,
  };
  const routes = [...ROUTES, ...(options.routes ?? [])];
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://mail.local');
    const outcome = dispatch(routes, ctx, { req, res, url }, (err) => {
      if (res.headersSent) res.destroy();
      else sendError(res, err);
    });
    if (outcome === 'handled') return;
    if (outcome === 'method-not-allowed') {
      sendText(res, 405, 'Method not allowed');
      return;
    }
    if (next) next();
    else sendText(res, 404, 'Not found');
  };
}
