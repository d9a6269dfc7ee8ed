// GET /api/v1/events — Server-Sent Events of new and deleted messages, optionally one scope's.
// Each `new` event carries the message's seq as its SSE id, so a client reconnecting with
// Last-Event-ID gets what it missed.
import type { StoreEvent } from '../../store/types.ts';
import type { Route } from '../context.ts';
import { listItem } from '../shapes.ts';

const HEARTBEAT_MS = 15_000;

export const eventRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/v1\/events$/,
    handle(ctx, { req, res, url }) {
      const scope = url.searchParams.get('scope');
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      const write = (event: string, data: unknown, id?: number) => {
        res.write(
          `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
        );
      };
      const onEvent = (e: StoreEvent) => {
        if (e.type === 'new') {
          if (scope && !e.message.scopes.includes(scope)) return;
          write('new', listItem(e.message), e.message.seq);
          return;
        }
        const ids = scope ? e.ids.filter((_, i) => e.scopes[i]?.includes(scope)) : e.ids;
        if (ids.length) write('deleted', { IDs: ids, Reason: e.reason });
      };
      write('ready', { seq: ctx.store.lastSeq });
      const lastId = Number(req.headers['last-event-id'] ?? url.searchParams.get('after') ?? Number.NaN);
      if (Number.isInteger(lastId)) {
        for (const m of ctx.store.list().toReversed()) {
          if (m.seq > lastId) onEvent({ type: 'new', message: m });
        }
      }
      const unsubscribe = ctx.store.subscribe(onEvent);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      res.once('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
    },
  },
];
