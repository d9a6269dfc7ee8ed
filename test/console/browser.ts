// One headless Debian Chromium per test file (never a downloaded browser), and a loopback HTTP
// server that records every request a page makes to it, to prove which fetches never happen.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '../../stack/testing/chromium.ts';

/** One Debian Chromium per test file. */
export const launchBrowser = launchChromium;

export interface Tracker extends AsyncDisposable {
  url: string;
  /** Paths requested so far, in order. */
  hits: string[];
  /** Resolves when `path` has been requested (at once if it was). */
  waitFor(path: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==',
  'base64',
);

export async function startTracker(): Promise<Tracker> {
  const hits: string[] = [];
  const waiters: { path: string; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://t').pathname;
    hits.push(path);
    for (const w of waiters.filter((x) => x.path === path)) w.resolve();
    res.writeHead(200, { 'Content-Type': path.endsWith('.png') ? 'image/png' : 'text/html' });
    res.end(path.endsWith('.png') ? PIXEL : '<p>tracked</p>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    waitFor(path, timeoutMs = 5000) {
      if (hits.includes(path)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `tracker: ${path} not requested within ${timeoutMs} ms (got ${hits.join(', ') || 'nothing'})`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          path,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
