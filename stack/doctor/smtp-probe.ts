// Walks an SMTP server through what the app's transport does — connect (TLS from the first byte
// for SSL), greeting, EHLO, STARTTLS, EHLO again, AUTH, MAIL FROM — and records each step, the
// server's replies and the certificate, stopping at the first failure.
import { Buffer } from 'node:buffer';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import {
  type ConnectionOptions,
  type PeerCertificate,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import type { SmtpSecurity } from '../../src/email/index.ts';
import { type SmtpReply, SmtpWire, SmtpWireError } from './smtp-wire.ts';

export type SmtpStep = 'connect' | 'greeting' | 'ehlo' | 'tls' | 'auth' | 'mail-from';

export interface SmtpProbeOptions {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** Trusted CAs as the app's transport has them (public roots plus SMTP_TLS_CA_FILE); unset: Node's roots. */
  ca?: string[];
  /** @default 'TLSv1.2', as the app's transport */
  minVersion?: ConnectionOptions['minVersion'];
  auth?: { user: string; pass: string };
  /** The envelope sender tried after AUTH (then reset). */
  mailFrom: string;
  /** Bound on every single wait (connect, each reply, the TLS handshake). */
  timeoutMs: number;
  /** @default 'focusmate-doctor.localhost' */
  clientName?: string;
}

export interface TlsInfo {
  protocol: string | null;
  cipher: string;
  subject: string;
  issuer: string;
  validTo: string;
  altNames: string;
}

export interface SmtpProbeFailure {
  step: SmtpStep;
  message: string;
  /** Socket / OpenSSL code (ETIMEDOUT, ECONNREFUSED, ERR_SSL_WRONG_VERSION_NUMBER, UNABLE_TO_VERIFY_LEAF_SIGNATURE...). */
  code?: string;
  timedOut: boolean;
  /** The refusing reply, when the server answered. */
  reply?: SmtpReply;
}

export interface SmtpProbeResult {
  /** Steps that succeeded, in order. */
  completed: SmtpStep[];
  failure?: SmtpProbeFailure;
  connectMs?: number;
  greeting?: string;
  /** EHLO keywords before STARTTLS (plain or STARTTLS modes). */
  extensionsBeforeTls?: string[];
  /** EHLO keywords of the session AUTH ran in. */
  extensions: string[];
  tls?: TlsInfo;
  authMechanism?: string;
  /** What was said; AUTH payloads are replaced by a placeholder. */
  transcript: string[];
}

class StepFailure extends Error {
  readonly failure: SmtpProbeFailure;
  constructor(failure: SmtpProbeFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

function fromError(step: SmtpStep, error: unknown): StepFailure {
  if (error instanceof StepFailure) return error;
  const e = error as SmtpWireError & NodeJS.ErrnoException;
  return new StepFailure({
    step,
    message: e.message,
    code: e.code,
    timedOut: e instanceof SmtpWireError && e.timedOut,
  });
}

function refused(step: SmtpStep, reply: SmtpReply, what: string): StepFailure {
  return new StepFailure({
    step,
    message: `${what}: ${reply.code} ${reply.lines.join(' ')}`,
    code: String(reply.code),
    timedOut: false,
    reply,
  });
}

function describeName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

function tlsInfo(socket: TLSSocket): TlsInfo {
  const cert = socket.getPeerCertificate();
  return {
    protocol: socket.getProtocol(),
    cipher: socket.getCipher().name,
    subject: describeName(cert.subject),
    issuer: describeName(cert.issuer),
    validTo: cert.valid_to,
    altNames: cert.subjectaltname ?? '',
  };
}

function tlsOptions(o: SmtpProbeOptions): ConnectionOptions {
  return {
    // SNI must be a host name; an IP address is checked against the certificate's IP SANs.
    servername: isIP(o.host) === 0 ? o.host : undefined,
    ca: o.ca,
    minVersion: o.minVersion ?? 'TLSv1.2',
    rejectUnauthorized: true,
  };
}

/** Resolves when `event` fires on the socket, rejects on error / close / timeout. */
function settle<T extends Socket>(
  socket: T,
  event: 'connect' | 'secureConnect',
  timeoutMs: number,
  what: string,
) {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new SmtpWireError(`${what} did not complete within ${timeoutMs} ms`, {
          code: 'ETIMEDOUT',
          timedOut: true,
        }),
      );
    }, timeoutMs);
    const onError = (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(new SmtpWireError(error.message, { code: error.code, cause: error }));
    };
    const onClose = () => {
      cleanup();
      reject(new SmtpWireError(`the server closed the connection during ${what}`, { code: 'ECONNRESET' }));
    };
    const onDone = () => {
      cleanup();
      resolve(socket);
    };
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off(event, onDone);
    };
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once(event, onDone);
  });
}

function keywords(reply: SmtpReply): string[] {
  return reply.lines.slice(1).map((line) => line.trim());
}

function offers(extensions: string[], keyword: string): string | undefined {
  return extensions.find((e) => e.toUpperCase().split(/[ =]/)[0] === keyword);
}

async function authenticate(wire: SmtpWire, o: SmtpProbeOptions, extensions: string[]): Promise<string> {
  const auth = o.auth!;
  const line = offers(extensions, 'AUTH');
  if (line === undefined) {
    const beforeTls = o.security === 'none' && offers(extensions, 'STARTTLS') !== undefined;
    throw new StepFailure({
      step: 'auth',
      message: `the server offers no AUTH${beforeTls ? ' before STARTTLS' : ''}, and SMTP_USER is set`,
      timedOut: false,
    });
  }
  const mechanisms = line.toUpperCase().split(/[ =]/).slice(1);
  const t = o.timeoutMs;
  if (mechanisms.includes('PLAIN')) {
    const token = Buffer.from(`\0${auth.user}\0${auth.pass}`).toString('base64');
    const reply = await wire.command(`AUTH PLAIN ${token}`, t, 'AUTH PLAIN <credentials>');
    if (reply.code !== 235) throw refused('auth', reply, 'AUTH PLAIN was refused');
    return 'PLAIN';
  }
  if (mechanisms.includes('LOGIN')) {
    let reply = await wire.command('AUTH LOGIN', t);
    if (reply.code === 334)
      reply = await wire.command(Buffer.from(auth.user).toString('base64'), t, '<user>');
    if (reply.code === 334)
      reply = await wire.command(Buffer.from(auth.pass).toString('base64'), t, '<password>');
    if (reply.code !== 235) throw refused('auth', reply, 'AUTH LOGIN was refused');
    return 'LOGIN';
  }
  throw new StepFailure({
    step: 'auth',
    message: `the server offers AUTH ${mechanisms.join(' ')}, neither PLAIN nor LOGIN`,
    timedOut: false,
  });
}

/** Runs the probe; never throws for a server-side problem (it ends up in `failure`). */
export async function probeSmtp(o: SmtpProbeOptions): Promise<SmtpProbeResult> {
  const result: SmtpProbeResult = { completed: [], extensions: [], transcript: [] };
  const t = o.timeoutMs;
  const started = Date.now();
  let wire: SmtpWire | undefined;
  let step: SmtpStep = 'connect';
  try {
    if (o.security === 'implicit-tls') {
      const socket = tlsConnect({ host: o.host, port: o.port, ...tlsOptions(o) });
      wire = new SmtpWire(socket);
      // Both waits are set up now; the handshake's is awaited once TCP is up (its own step).
      const secured = settle(socket, 'secureConnect', 2 * t, 'the TLS handshake');
      secured.catch(() => undefined);
      await settle(socket, 'connect', t, 'the TCP connection');
      result.connectMs = Date.now() - started;
      result.completed.push('connect');
      step = 'tls';
      await secured;
      result.tls = tlsInfo(socket);
      result.completed.push('tls');
    } else {
      const socket = netConnect({ host: o.host, port: o.port });
      wire = new SmtpWire(socket);
      await settle(socket, 'connect', t, 'the TCP connection');
      result.connectMs = Date.now() - started;
      result.completed.push('connect');
    }

    step = 'greeting';
    const greeting = await wire.reply(t, 'greeting');
    result.greeting = `${greeting.code} ${greeting.lines.join(' ')}`;
    if (greeting.code !== 220) throw refused('greeting', greeting, 'the server refused the session');
    result.completed.push('greeting');

    step = 'ehlo';
    const ehlo = `EHLO ${o.clientName ?? 'focusmate-doctor.localhost'}`;
    let hello = await wire.command(ehlo, t);
    if (hello.code !== 250) throw refused('ehlo', hello, 'EHLO was refused');
    result.extensions = keywords(hello);
    result.completed.push('ehlo');

    if (o.security === 'starttls-required') {
      step = 'tls';
      result.extensionsBeforeTls = result.extensions;
      if (!offers(result.extensions, 'STARTTLS')) {
        throw new StepFailure({
          step: 'tls',
          message: 'the server does not offer STARTTLS, and SMTP_USE_TLS=true requires it',
          timedOut: false,
        });
      }
      const ready = await wire.command('STARTTLS', t);
      if (ready.code !== 220) throw refused('tls', ready, 'STARTTLS was refused');
      const plain = wire.detach() as Socket;
      const secure = tlsConnect({ socket: plain, ...tlsOptions(o) });
      wire.adopt(secure);
      await settle(secure, 'secureConnect', t, 'the STARTTLS handshake');
      result.tls = tlsInfo(secure);
      hello = await wire.command(ehlo, t);
      if (hello.code !== 250) throw refused('tls', hello, 'EHLO after STARTTLS was refused');
      result.extensions = keywords(hello);
      result.completed.push('tls');
    }

    if (o.auth) {
      step = 'auth';
      result.authMechanism = await authenticate(wire, o, result.extensions);
      result.completed.push('auth');
    }

    step = 'mail-from';
    const mail = await wire.command(`MAIL FROM:<${o.mailFrom}>`, t);
    if (mail.code !== 250) throw refused('mail-from', mail, `MAIL FROM:<${o.mailFrom}> was refused`);
    result.completed.push('mail-from');
    await wire.command('RSET', t).catch(() => undefined);
    wire.send('QUIT');
  } catch (error) {
    result.failure = fromError(step, error).failure;
  } finally {
    if (wire) {
      result.transcript = wire.transcript;
      wire.close();
    }
  }
  return result;
}
