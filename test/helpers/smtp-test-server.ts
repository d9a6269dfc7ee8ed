import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

/** An SMTP reply the test server sends instead of accepting. */
export interface SmtpReply {
  code: number;
  message: string;
}

export interface TestSmtpServerOptions {
  /** Implicit TLS from the first byte (the 465 style). @default false */
  secure?: boolean;
  /** Certificate for implicit TLS and STARTTLS. */
  tls?: { certPem: string; keyPem: string };
  /** Advertise and accept STARTTLS. @default true */
  starttls?: boolean;
  /** Require AUTH with exactly these credentials (535 otherwise). @default no AUTH */
  auth?: { user: string; pass: string };
  /** Reply to RCPT TO for this address instead of accepting it. */
  onRcptTo?: (address: string) => SmtpReply | undefined;
  /** Reply to the end of DATA for the n-th message (0-based) instead of accepting it. */
  onMessage?: (index: number) => SmtpReply | undefined;
}

export interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
  /** Whether the session was encrypted when the message was sent. */
  secure: boolean;
  user: string | undefined;
}

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  readonly received: ReceivedMail[];
  /** Every AUTH attempt, successful or not, with whether the session was encrypted. */
  readonly authAttempts: { user: string; secure: boolean }[];
  /** How many TCP connections were accepted. */
  readonly connections: () => number;
  /** Resolves with the next message the server accepts. */
  nextMessage(): Promise<ReceivedMail>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function replyError(reply: SmtpReply): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

function address(a: SMTPServerAddress | false): string | undefined {
  return a ? a.address : undefined;
}

/** A real smtp-server listener on 127.0.0.1, port 0, recording what it receives. */
export async function startTestSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const authAttempts: { user: string; secure: boolean }[] = [];
  const waiters: ((mail: ReceivedMail) => void)[] = [];
  let connections = 0;
  let messageIndex = 0;

  const server = new SMTPServer({
    secure: options.secure ?? false,
    key: options.tls?.keyPem,
    cert: options.tls?.certPem,
    hideSTARTTLS: options.starttls === false,
    disabledCommands: options.starttls === false ? ['STARTTLS'] : [],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 1_000,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onAuth(auth, session, callback) {
      authAttempts.push({ user: auth.username ?? '', secure: session.secure });
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        return callback(null, { user: auth.username });
      }
      return callback(replyError({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
    },
    onRcptTo(rcpt, _session, callback) {
      const reply = options.onRcptTo?.(rcpt.address);
      callback(reply ? replyError(reply) : undefined);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const reply = options.onMessage?.(messageIndex);
        messageIndex += 1;
        if (reply) return callback(replyError(reply));
        const raw = Buffer.concat(chunks);
        const mail: ReceivedMail = {
          from: address(session.envelope.mailFrom),
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          parsed: await simpleParser(raw),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        };
        received.push(mail);
        for (const waiter of waiters.splice(0)) waiter(mail);
        callback();
      });
    },
  });
  server.on('error', () => {});
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
    return stopped;
  };
  return {
    host: '127.0.0.1',
    port,
    received,
    authAttempts,
    connections: () => connections,
    nextMessage: () => new Promise((resolve) => waiters.push(resolve)),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

export interface SilentServer {
  readonly port: number;
  /** Resolves once a client has connected. */
  readonly connected: Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Accepts TCP connections and never says a word: a server that never greets. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let markConnected!: () => void;
  const connected = new Promise<void>((resolve) => {
    markConnected = resolve;
  });
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    markConnected();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return stopped;
  };
  return { port: (server.address() as AddressInfo).port, connected, stop, [Symbol.asyncDispose]: stop };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
