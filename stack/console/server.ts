// startConsoleServer(): the console's web UI, its REST API (/api/stack/...) and the mounted mail
// API (/api/v1/..., Mailpit's paths) on one loopback port, as a started handle.

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { StackKeys } from '../engines/app-keys.ts';
import type { StackFaults } from '../faults/stack-faults.ts';
import { createServer } from '../util/node-http.ts';
import { dispatch } from '../util/router.ts';
import type { ConsoleContext, Route } from './context.ts';
import { ConsoleError } from './errors.ts';
import { ConsoleEvents } from './events.ts';
import { sendError } from './http.ts';
import type { ConsoleOverview, ConsoleServerOptions } from './options.ts';
import { faultRoutes } from './routes/faults.ts';
import { keyRoutes } from './routes/keys.ts';
import { mailHtmlRoutes } from './routes/mail-html.ts';
import { overviewRoutes } from './routes/overview.ts';
import { requestRoutes } from './routes/requests.ts';
import { storageRoutes } from './routes/storage.ts';
import { versionRoutes } from './routes/versions.ts';
import { createS3Access } from './s3-access.ts';
import { checkHost, checkSameOrigin, sandboxCsp, setCommonHeaders } from './security.ts';
import { loadStaticFiles } from './static-files.ts';

export type {
  ConsoleCredential,
  ConsoleOverview,
  ConsoleS3Options,
  ConsoleServerOptions,
} from './options.ts';

export interface ConsoleServer extends AsyncDisposable {
  /** `http://host:port`, the UI's address. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops accepting, ends event streams, drains (bounded by stopTimeoutMs). Idempotent. */
  stop(): Promise<void>;
}

const ROUTES: Route[] = [
  ...overviewRoutes,
  ...storageRoutes,
  ...versionRoutes,
  ...requestRoutes,
  ...mailHtmlRoutes,
];

function route(
  routes: Route[],
  ctx: ConsoleContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  const outcome = dispatch(routes, ctx, { req, res, url }, (err) => sendError(res, err));
  if (outcome === 'method-not-allowed') {
    sendError(res, new ConsoleError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`));
  } else if (outcome === 'not-found') {
    sendError(res, new ConsoleError('NOT_FOUND', `No console API at ${url.pathname}`));
  }
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startConsoleServer(
  options: ConsoleServerOptions & {
    /** Fault injection rules of both servers, served at /api/stack/faults. @default undefined (501) */
    faults?: StackFaults;
    /** The app user's access keys, served at /api/stack/keys (read when asked: the stack makes them after the console starts). @default none (501) */
    keys?: () => StackKeys | undefined;
  } = {},
): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConsoleError('BAD_REQUEST', `startConsoleServer: invalid port ${String(options.port)}`);
  }
  const stopTimeoutMs = options.stopTimeoutMs ?? 2000;
  // The fault routes close over the stack's rule set (the shared context does not carry it).
  const routes = [...ROUTES, ...faultRoutes(options.faults), ...keyRoutes(options.keys ?? (() => undefined))];
  const staticFiles = await loadStaticFiles();
  const s3 = options.s3 ? createS3Access(options.s3) : undefined;
  const events = new ConsoleEvents(
    options.s3Server,
    options.decisions,
    (id) => s3?.ownRequests.has(id) ?? false,
  );
  /** Mail event streams: ended on stop rather than waited for. */
  const mailStreams = new Set<ServerResponse>();
  let selfUrl = '';

  const ctx: ConsoleContext = {
    s3,
    s3Server: options.s3Server,
    decisions: options.decisions,
    hasMail: Boolean(options.mailApi),
    async overview(): Promise<ConsoleOverview> {
      if (options.overview) return options.overview();
      return {
        engine: options.s3Server ? 'embedded' : 'unknown',
        endpoints: { console: selfUrl, ...(options.s3 ? { s3: options.s3.endpoint } : {}) },
        credentials: {
          root: options.s3
            ? { name: 'root', ...options.s3.rootCredentials }
            : { name: 'root', accessKeyId: '', secretAccessKey: '' },
        },
        env: {},
      };
    },
    // Bounded: a stalled mail API must not hold a console request forever.
    mailFetch: (path) => fetch(`${selfUrl}${path}`, { signal: AbortSignal.timeout(10_000) }),
    events,
  };

  const server = createServer({ keepAliveTimeout: 5000, requestTimeout: 0 }, (req, res) => {
    try {
      setCommonHeaders(res);
      checkHost(req, host);
      const url = new URL(req.url ?? '/', 'http://console.local');
      const path = url.pathname;
      if (path.startsWith('/api/stack/')) {
        checkSameOrigin(req);
        route(routes, ctx, req, res, url);
        return;
      }
      if (options.mailApi && (path.startsWith('/api/v1/') || path.startsWith('/view/'))) {
        checkSameOrigin(req);
        if (path === '/api/v1/events') {
          mailStreams.add(res);
          res.once('close', () => mailStreams.delete(res));
        }
        // What the mail API renders of a message never runs in our origin either.
        if (path.startsWith('/view/')) res.setHeader('Content-Security-Policy', sandboxCsp());
        options.mailApi(req, res);
        return;
      }
      if (path === '/favicon.ico') {
        res.writeHead(204);
        res.end();
        return;
      }
      if (staticFiles(req, res, path)) return;
      throw new ConsoleError('NOT_FOUND', `Nothing at ${path}`);
    } catch (err) {
      sendError(res, err);
    }
  });
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.listen(port, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => {
      s3?.destroy();
      throw err;
    }),
  ]);
  const bound = (server.address() as AddressInfo).port;
  selfUrl = `http://${hostForUrl(host)}:${bound}`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), stopTimeoutMs);
      server.close(() => {
        clearTimeout(timer);
        s3?.destroy();
        resolve();
      });
      events.close();
      for (const res of mailStreams) res.end();
      server.closeIdleConnections();
    });
    return stopping;
  };

  return {
    url: selfUrl,
    host,
    port: bound,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
