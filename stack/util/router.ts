// The tiny router the console and the mail API share: routes are (method, path regex,
// handler) rows tried in order; HEAD is served by GET rows; a handler's rejection goes to
// the caller's error renderer, since each API speaks its own error format.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteArgs {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
}

export interface Route<C> {
  method: string;
  path: RegExp;
  handle(ctx: C, args: RouteArgs): void | Promise<void>;
}

export type DispatchOutcome = 'handled' | 'method-not-allowed' | 'not-found';

/** Runs the first route matching path and method; says why when none did. */
export function dispatch<C>(
  routes: readonly Route<C>[],
  ctx: C,
  args: Omit<RouteArgs, 'params'>,
  onError: (err: unknown) => void,
): DispatchOutcome {
  const { req, url } = args;
  let pathMatched = false;
  for (const route of routes) {
    const m = route.path.exec(url.pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== req.method && !(route.method === 'GET' && req.method === 'HEAD')) continue;
    Promise.resolve()
      .then(() => route.handle(ctx, { ...args, params: m.slice(1) }))
      .catch(onError);
    return 'handled';
  }
  return pathMatched ? 'method-not-allowed' : 'not-found';
}
