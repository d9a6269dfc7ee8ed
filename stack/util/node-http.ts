// node:http loaded with require. An ESM `import { createServer } from 'node:http'` builds the
// module's ESM facade, which reads every export, lazy ones included, and some of those load
// Node's bundled undici: 28-36 ms, a sixth of the server's start as its own process. require
// returns the module object without reading them.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const http = require('node:http') as typeof import('node:http');

export const { createServer } = http;

/** node:https's createServer, loaded on first use: only a TLS listener needs it (~8 ms). */
export function createHttpsServer(
  ...args: Parameters<typeof import('node:https').createServer>
): ReturnType<typeof import('node:https').createServer> {
  const https = require('node:https') as typeof import('node:https');
  return https.createServer(...args);
}
