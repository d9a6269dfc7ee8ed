// The app user's access keys over HTTP, for rotating them while `dev:stack` runs:
// GET lists them (no secrets), POST /rotate creates a second key (its secret is answered once),
// POST /:id/deactivate and /:id/activate switch one, DELETE /:id removes it.
import { KeyError, type StackKeys } from '../../engines/app-keys.ts';
import type { Route } from '../context.ts';
import { ConsoleError } from '../errors.ts';
import { sendJson } from '../http.ts';

function asConsoleError(err: unknown): unknown {
  if (!(err instanceof KeyError)) return err;
  if (err.code === 'NOT_SUPPORTED') return new ConsoleError('NOT_CONFIGURED', err.message);
  if (err.code === 'UNKNOWN_KEY') return new ConsoleError('NOT_FOUND', err.message);
  if (err.code === 'ROOT_KEY') return new ConsoleError('FORBIDDEN', err.message);
  return new ConsoleError('BAD_REQUEST', err.message, { status: 409 });
}

export function keyRoutes(keys: () => StackKeys | undefined): Route[] {
  const configured = (): StackKeys => {
    const k = keys();
    if (!k) throw new ConsoleError('NOT_CONFIGURED', 'No access keys were given to the console');
    return k;
  };
  const run = async <T>(fn: (k: StackKeys) => Promise<T> | T): Promise<T> => {
    try {
      return await fn(configured());
    } catch (err) {
      throw asConsoleError(err);
    }
  };
  const id = (params: string[]) => decodeURIComponent(params[0] ?? '');
  return [
    {
      method: 'GET',
      path: /^\/api\/stack\/keys$/,
      async handle(_ctx, { res }) {
        sendJson(res, 200, { keys: await run((k) => k.list()) });
      },
    },
    {
      method: 'POST',
      path: /^\/api\/stack\/keys\/rotate$/,
      async handle(_ctx, { res }) {
        const key = await run((k) => k.rotateAppKey());
        sendJson(res, 201, { ...key, keys: configured().list() });
      },
    },
    {
      method: 'POST',
      path: /^\/api\/stack\/keys\/([^/]+)\/deactivate$/,
      async handle(_ctx, { res, params }) {
        await run((k) => k.deactivateKey(id(params)));
        sendJson(res, 200, { accessKeyId: id(params), active: false });
      },
    },
    {
      method: 'POST',
      path: /^\/api\/stack\/keys\/([^/]+)\/activate$/,
      async handle(_ctx, { res, params }) {
        await run((k) => k.reactivateKey(id(params)));
        sendJson(res, 200, { accessKeyId: id(params), active: true });
      },
    },
    {
      method: 'DELETE',
      path: /^\/api\/stack\/keys\/([^/]+)$/,
      async handle(_ctx, { res, params }) {
        await run((k) => k.removeKey(id(params)));
        sendJson(res, 200, { accessKeyId: id(params), removed: true });
      },
    },
  ];
}
