import type { AddressInfo } from 'node:net';
import { createServer } from '../../util/node-http.ts';
import { MailError } from '../errors.ts';
import type { MailApiHandler } from './create-mail-api.ts';

export interface MailApiListener extends AsyncDisposable {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Serves a mail API handler on its own port (tests, or when no console mounts it). */
export function startMailApi(
  handler: MailApiHandler,
  host = '127.0.0.1',
  port = 0,
): Promise<MailApiListener> {
  const server = createServer((req, res) => handler(req, res));
  return new Promise((resolve, reject) => {
    server.once('error', (err) =>
      reject(new MailError('LISTEN_FAILED', `Mail API could not bind ${host}:${port}: ${err.message}`)),
    );
    server.listen(port, host, () => {
      const bound = (server.address() as AddressInfo).port;
      let stopped: Promise<void> | undefined;
      const stop = () => {
        stopped ??= new Promise<void>((done) => {
          server.close(() => done());
          // Event streams and long waits would otherwise keep close() pending.
          server.closeAllConnections();
        });
        return stopped;
      };
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({ url: `http://${urlHost}:${bound}`, port: bound, stop, [Symbol.asyncDispose]: stop });
    });
  });
}
