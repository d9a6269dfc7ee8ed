// Fault injection over HTTP: GET lists every rule (both servers, with counters), POST adds one
// (a rule object, or a compact string as JSON `"s3:PutObject=503:SlowDown:first=2"` or
// `{ "rule": "..." }`), DELETE clears (`?target=s3|smtp` for one server), DELETE /:id removes one.
import { FaultError } from '../../faults/errors.ts';
import type { FaultTarget, StackFaults } from '../../faults/stack-faults.ts';
import type { Route } from '../context.ts';
import { ConsoleError } from '../errors.ts';
import { readBody, sendJson } from '../http.ts';

function configured(faults: StackFaults | undefined): StackFaults {
  if (!faults) throw new ConsoleError('NOT_CONFIGURED', 'No fault injection was given to the console');
  return faults;
}

/** A FaultError in the console's words: a bad rule is the request's fault. */
function asConsoleError(err: unknown): unknown {
  if (!(err instanceof FaultError)) return err;
  if (err.code === 'NOT_SUPPORTED') return new ConsoleError('NOT_CONFIGURED', err.message);
  return new ConsoleError('BAD_REQUEST', err.message, { status: err.code === 'DUPLICATE_ID' ? 409 : 400 });
}

function target(url: URL): FaultTarget | undefined {
  const t = url.searchParams.get('target');
  if (t === null || t === '') return undefined;
  if (t !== 's3' && t !== 'smtp') throw new ConsoleError('BAD_REQUEST', `target=${t}: expected s3 or smtp`);
  return t;
}

export function faultRoutes(faults: StackFaults | undefined): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/api\/stack\/faults$/,
      handle(_ctx, { res, url }) {
        const t = target(url);
        sendJson(res, 200, {
          rules: configured(faults)
            .list()
            .filter((r) => t === undefined || r.target === t),
        });
      },
    },
    {
      method: 'POST',
      path: /^\/api\/stack\/faults$/,
      async handle(_ctx, { req, res }) {
        const f = configured(faults);
        let body: unknown;
        try {
          body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8'));
        } catch (err) {
          if (err instanceof ConsoleError) throw err;
          throw new ConsoleError(
            'BAD_REQUEST',
            'The body must be JSON: a rule object or a compact rule string',
          );
        }
        const rule =
          typeof body === 'object' && body !== null && typeof (body as { rule?: unknown }).rule === 'string'
            ? (body as { rule: string }).rule
            : body;
        let id: string;
        try {
          id = f.add(rule as Parameters<StackFaults['add']>[0]);
        } catch (err) {
          throw asConsoleError(err);
        }
        sendJson(res, 201, { id, rule: f.list().find((r) => r.id === id) });
      },
    },
    {
      method: 'DELETE',
      path: /^\/api\/stack\/faults$/,
      handle(_ctx, { res, url }) {
        const f = configured(faults);
        const t = target(url);
        const removed = f.list().filter((r) => t === undefined || r.target === t).length;
        f.clear(t);
        sendJson(res, 200, { removed });
      },
    },
    {
      method: 'DELETE',
      path: /^\/api\/stack\/faults\/([^/]+)$/,
      handle(_ctx, { res, params }) {
        const id = decodeURIComponent(params[0] ?? '');
        if (!configured(faults).remove(id)) throw new ConsoleError('NOT_FOUND', `No fault rule '${id}'`);
        sendJson(res, 200, { removed: 1, id });
      },
    },
  ];
}
