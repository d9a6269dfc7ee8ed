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
//
// 3. Fault injection and provider profiles (stack/mail/faults, stack/mail/profiles) need exact
//    replies (their own enhanced code, multi-line), a way to drop a connection, and hooks at
//    EHLO, STARTTLS and the implicit-TLS handshake, which have no smtp-server option either.
import type net from 'node:net';
import type tls from 'node:tls';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import type { SmtpFaultController } from '../faults/smtp-faults.ts';
import type { SmtpListenerName } from '../faults/smtp-rules.ts';

export const STARTTLS_REQUIRED_MESSAGE = 'Must issue a STARTTLS command first';

export interface ExtOptions {
  /** Greet loopback clients without smtp-server's 100 ms early-talker delay. @default true */
  promptLoopbackGreeting: boolean;
  /** Answer AUTH on a clear channel with 530 (TLS required mode). @default false */
  requireTlsForAuth: boolean;
  /** Which listener this server is, for fault rules that name one. */
  listener?: SmtpListenerName;
  /** Fault rules consulted at EHLO, STARTTLS and the implicit-TLS handshake. @default none */
  faults?: SmtpFaultController;
}

/** The connection behind a session, for the option hooks (onConnect, onAuth...) that only get the session. */
const OWNERS = new WeakMap<SMTPServerSession, CapturedConnection>();

export function connectionOf(session: SMTPServerSession): CapturedConnection | undefined {
  return OWNERS.get(session);
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || a.startsWith('127.');
}

export class CapturedConnection extends SMTPConnection {
  #prompt = false;
  #readied = false;
  #requireTlsForAuth = false;
  #listener: SmtpListenerName = 'submission';
  #faults?: SmtpFaultController;
  #armed?: { code: number; lines: string[] };

  constructor(
    server: SMTPServer,
    socket: net.Socket | tls.TLSSocket,
    options?: SMTPConnectionOptions | null,
  ) {
    super(server, socket, options);
    // smtp-server keeps one session object for the connection's whole life (_resetSession reuses it).
    OWNERS.set(this.session, this);
  }

  configure(
    prompt: boolean,
    requireTlsForAuth: boolean,
    ext?: Pick<ExtOptions, 'listener' | 'faults'>,
  ): this {
    this.#prompt = prompt;
    this.#requireTlsForAuth = requireTlsForAuth;
    if (ext?.listener) this.#listener = ext.listener;
    this.#faults = ext?.faults;
    return this;
  }

  /**
   * The next reply with this code goes out exactly as these lines (each already carrying its
   * enhanced code, if any), instead of smtp-server's single line with a derived enhanced code.
   * For replies an option hook triggers by failing its callback with `responseCode: code`.
   */
  armReply(code: number, lines: string[]): void {
    this.#armed = { code, lines };
  }

  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    const armed = this.#armed;
    if (armed && armed.code === code) {
      this.#armed = undefined;
      super.send(code, armed.lines, false);
      return;
    }
    super.send(code, data, context);
  }

  /** Cuts the connection off without a reply. */
  drop(): void {
    this._socket.destroy();
  }

  #scope(): string | undefined {
    return (this.session.user as { username?: string } | undefined)?.username || undefined;
  }

  /** Sends a rule's reply to a command and lets the parser go on. */
  #replyTo(callback: () => void) {
    return (code: number, lines: string[]) => {
      this.send(code, lines, false);
      callback();
    };
  }

  override handler_EHLO(command: Buffer, callback: () => void): void {
    if (!this.#faults) {
      super.handler_EHLO(command, callback);
      return;
    }
    this.#faults.gate(
      this,
      { stage: 'EHLO', listener: this.#listener, scope: this.#scope() },
      { proceed: () => super.handler_EHLO(command, callback), reply: this.#replyTo(callback) },
    );
  }

  override handler_HELO(command: Buffer, callback: () => void): void {
    if (!this.#faults) {
      super.handler_HELO(command, callback);
      return;
    }
    this.#faults.gate(
      this,
      { stage: 'EHLO', listener: this.#listener, scope: this.#scope() },
      { proceed: () => super.handler_HELO(command, callback), reply: this.#replyTo(callback) },
    );
  }

  override handler_STARTTLS(command: Buffer, callback: () => void): void {
    if (!this.#faults || this.secure) {
      super.handler_STARTTLS(command, callback);
      return;
    }
    this.#faults.gate(
      this,
      { stage: 'STARTTLS', listener: this.#listener },
      {
        proceed: () => super.handler_STARTTLS(command, callback),
        reply: this.#replyTo(callback),
        handshake: () => {
          this.send(220, 'Ready to start TLS');
          // As upgrade() does: the parser lets go of the socket and nothing more is written
          // in clear; the fault then owns the raw socket and its handshake.
          if (this._parser) this._socket.unpipe(this._parser);
          this._upgrading = true;
          return this._socket as net.Socket;
        },
      },
    );
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
      this.#ext,
    );
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
  }

  /** The implicit-TLS listener's handshake, which a fault rule may fail instead. */
  override _upgrade(socket: net.Socket, callback: Parameters<SMTPServer['_upgrade']>[1]): void {
    if (this.#ext.faults?.failImplicitHandshake(socket)) return;
    super._upgrade(socket, callback);
  }
}
