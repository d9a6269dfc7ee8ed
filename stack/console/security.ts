// The console's origin holds root S3 credentials' power (upload, delete) and captured mail, so it
// runs only its own scripts, refuses to be framed, refuses cross-site writes, and answers only
// to the host names it is reachable by (a DNS-rebinding page cannot read it through its own name).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { ConsoleError } from './errors.ts';

/** The UI's policy: own scripts and styles only; frames only from us (the sandboxed mail view). */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export function setPageHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

/**
 * For bytes that came from outside (objects, mail parts, mail HTML): whatever the browser makes
 * of them runs in a unique opaque origin with scripts off, even if opened in a tab of its own.
 */
export function sandboxCsp(extra: string[] = []): string {
  return ['sandbox', "default-src 'none'", ...extra, "base-uri 'none'", "form-action 'none'"].join('; ');
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.startsWith('127.');
}

/**
 * When bound to loopback, only loopback names may address us. When bound elsewhere (an explicit
 * --host), the operator chose exposure and any Host is served.
 */
export function checkHost(req: IncomingMessage, bindHost: string): void {
  // Bound beyond loopback (only with an explicit --host): the operator chose exposure.
  if (!isLoopbackHost(bindHost)) return;
  const raw = req.headers.host ?? '';
  const name = raw.startsWith('[') ? raw.slice(0, raw.indexOf(']') + 1) : raw.replace(/:\d+$/, '');
  const lower = name.toLowerCase();
  const ok =
    LOOPBACK_NAMES.has(lower) ||
    lower.endsWith('.localhost') ||
    (isIP(lower) === 4 && lower.startsWith('127.')) ||
    lower === bindHost.toLowerCase();
  if (!ok) throw new ConsoleError('FORBIDDEN', `Host '${raw}' is not a loopback name of this console`);
}

/** Writes only from our own pages (or from clients that are not browsers: no Origin, no Sec-Fetch-Site). */
export function checkSameOrigin(req: IncomingMessage): void {
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return;
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    throw new ConsoleError('FORBIDDEN', `Cross-site ${method} refused (Sec-Fetch-Site: ${site})`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw new ConsoleError('FORBIDDEN', `Malformed Origin '${origin}'`);
    }
    if (host !== req.headers.host)
      throw new ConsoleError('FORBIDDEN', `Cross-origin ${method} from ${origin} refused`);
  }
  if (origin === 'null') throw new ConsoleError('FORBIDDEN', `${method} from an opaque origin refused`);
}
