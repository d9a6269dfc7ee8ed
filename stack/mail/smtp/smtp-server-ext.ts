// The only place that reaches past smtp-server's options. Two behaviours have no option:
//
// 1. Greeting delay. SMTPConnection.init() holds every greeting for a fixed 100 ms to catch
//    "early talkers" (spam bots that speak before the 220). A connect-per-message client
//    (nodemailer's default transport, what most apps and tests use) pays those 100 ms on every
//    send. For loopback clients, where there are no spam bots, we greet at once: our connection
//    subclass calls the public connectionReady() right after init() and makes it run once, so
//    the 100 ms timer that fires later is a no-op. Remote clients keep smtp-server's delay.
// 2. AUTH before STARTTLS when TLS is required. smtp-server answers `538`; Gmail and the other
//    providers answer `530 5.7.0 Must issue a STARTTLS command first`, which is what clients
//    (and the app's error handling) are written against.
//
// Everything used here is declared in smtp-server's own .d.ts (SMTPServer.connect, _onError,
// _onClientConnect, SMTPConnection.init/connectionReady/handler_AUTH). The replacement of
// connect() mirrors SMTPServer.prototype.connect of smtp-server 3.21; test/mail/smtp-server-ext
// .test.ts fails if a new smtp-server version changes what these rely on.
import type net from 'node:net';
import type tls from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';

export const STARTTLS_REQUIRED_MESSAGE = 'Must issue a STARTTLS command first';

export interface ExtOptions {
  /** Greet loopback clients without smtp-server's 100 ms early-talker delay. @default true */
  promptLoopbackGreeting: boolean;
  /** Answer AUTH on a clear channel with 530 (TLS required mode). @default false */
  requireTlsForAuth: boolean;
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || a.startsWith('127.');
}

class CapturedConnection extends SMTPConnection {
  #prompt = false;
  #readied = false;
  #requireTlsForAuth = false;

  configure(prompt: boolean, requireTlsForAuth: boolean): this {
    this.#prompt = prompt;
    this.#requireTlsForAuth = requireTlsForAuth;
    return this;
  }

  override init(): void {
    super.init();
    // init() sets up the socket listeners synchronously for plain and already-handshaken TLS
    // sockets; connectionReady() returns early by itself if init() refused the connection.
    if (this.#prompt) this.connectionReady();
  }

  override connectionReady(next?: () => void): void {
    if (this.#readied) return;
    this.#readied = true;
    super.connectionReady(next);
  }

  override handler_AUTH(command: Buffer, callback: () => void): void {
    if (this.#requireTlsForAuth && !this.secure) {
      this.send(530, STARTTLS_REQUIRED_MESSAGE);
      callback();
      return;
    }
    super.handler_AUTH(command, callback);
  }
}

export class CapturedSmtpServer extends SMTPServer {
  #ext: ExtOptions;

  constructor(options: SMTPServerOptions, ext: ExtOptions) {
    super(options);
    this.#ext = ext;
  }

  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const prompt =
      this.#ext.promptLoopbackGreeting &&
      isLoopbackAddress(socketOptions?.remoteAddress ?? socket.remoteAddress);
    const connection = new CapturedConnection(this, socket, socketOptions).configure(
      prompt,
      this.#ext.requireTlsForAuth,
    );
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
  }
}
