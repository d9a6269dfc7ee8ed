// The two SMTP listeners (submission with STARTTLS, implicit TLS) over one set of hooks.
import type { AddressInfo } from 'node:net';
import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { MailError } from '../errors.ts';
import type { SmtpFaultController } from '../faults/smtp-faults.ts';
import type { SmtpFaultEvent } from '../faults/smtp-rules.ts';
import type { SmtpProfile, SmtpReply } from '../profiles/types.ts';
import type { MailStore, ReplyRecord, SessionRecord } from '../store/types.ts';
import { type AuthenticatedUser, type AuthMode, authenticate } from './auth.ts';
import { receiveMessage } from './receive.ts';
import { CapturedSmtpServer, connectionOf, STARTTLS_REQUIRED_MESSAGE } from './smtp-server-ext.ts';

export interface SmtpListenersOptions {
  host: string;
  submissionPort: number;
  implicitTlsPort: number;
  keyPem: string;
  certPem: string;
  tlsMode: 'optional' | 'required';
  auth: AuthMode;
  sizeLimit: number;
  name: string;
  stopTimeout: number;
  promptLoopbackGreeting: boolean;
  store: MailStore;
  /** Called for every refused AUTH, MAIL or DATA (for the API's SMTPRejected counter). */
  onReject?: () => void;
  /** Fault rules (stack/mail/faults), consulted at every stage. @default none */
  faults?: SmtpFaultController;
  /** Provider profile (stack/mail/profiles): its AUTH rules, sender checks and wording. @default none */
  profile?: SmtpProfile;
}

export interface SmtpListeners {
  submissionPort: number;
  implicitTlsPort: number;
  stop(): Promise<void>;
}

type Listener = SessionRecord['listener'];

interface ConnectionState {
  authReplies: ReplyRecord[];
  txReplies: ReplyRecord[];
}

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

function listen(server: CapturedSmtpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) =>
      reject(new MailError('LISTEN_FAILED', `SMTP listener could not bind ${host}:${port}: ${err.message}`));
    server.server.once('error', onError);
    server.listen(port, host, () => {
      server.server.off('error', onError);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
}

export async function startSmtpListeners(o: SmtpListenersOptions): Promise<SmtpListeners> {
  const states = new Map<string, ConnectionState>();
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;
  const state = (session: SMTPServerSession) => {
    let s = states.get(session.id);
    if (!s) {
      s = { authReplies: [], txReplies: [] };
      states.set(session.id, s);
    }
    return s;
  };
  const strict = typeof o.auth === 'object';

  const makeServer = (listener: Listener) => {
    /** A refusal written exactly as given (its own enhanced code and lines), failing the hook. */
    const refuse = (session: SMTPServerSession, reply: SmtpReply, callback: (err: Error) => void) => {
      connectionOf(session)?.armReply(reply.code, reply.lines);
      callback(smtpError(reply.code, reply.lines.join(' ')));
    };
    /** Fault rules for this stage: `proceed` is the normal handling, a rule's reply fails the hook. */
    const gate = (
      session: SMTPServerSession,
      event: Omit<SmtpFaultEvent, 'listener'>,
      callback: (err: Error) => void,
      proceed: () => void,
      extra: { onReply?: (code: number) => void; settle?: (act: () => void) => void } = {},
    ) => {
      const conn = o.faults && connectionOf(session);
      if (!o.faults || !conn) return proceed();
      o.faults.gate(
        conn,
        { ...event, listener },
        {
          proceed,
          settle: extra.settle,
          reply: (code, lines) => {
            extra.onReply?.(code);
            o.onReject?.();
            refuse(session, { code, lines }, callback);
          },
        },
      );
    };
    const scopeOf = (session: SMTPServerSession) =>
      (session.user as unknown as AuthenticatedUser | undefined)?.username || undefined;
    const options: SMTPServerOptions = {
      secure: listener === 'implicit-tls',
      key: o.keyPem,
      cert: o.certPem,
      name: o.name,
      banner: 'captured-mail ESMTP (nothing is delivered)',
      logger: false,
      disableReverseLookup: true,
      size: o.sizeLimit,
      rejectOversized: true,
      hideENHANCEDSTATUSCODES: false,
      hideSTARTTLS: listener === 'implicit-tls',
      // Our handler_AUTH override answers 530 in required mode; optional mode allows clear AUTH.
      allowInsecureAuth: true,
      // Auth is enforced in onMailFrom so the STARTTLS check can come first (as Gmail's does).
      authOptional: true,
      authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
      disabledCommands: o.auth === 'off' ? ['AUTH'] : [],
      closeTimeout: o.stopTimeout,
      // smtp-server's defaults defer these by a tick; answering synchronously lets a prompt
      // greeting be ready before the first byte from the client can be read.
      onConnect(session, callback) {
        gate(session, { stage: 'connect' }, callback, () => callback());
      },
      onSecure(_socket, _session, callback) {
        callback();
      },
      onAuth(auth, session, callback) {
        const record = (code: number) =>
          state(session).authReplies.push({ command: 'AUTH', code, argument: auth.method });
        gate(
          session,
          { stage: 'AUTH', scope: auth.username },
          callback,
          () => {
            const result = authenticate(o.auth, auth);
            const ok = !(result instanceof Error);
            // A profile words (and may tighten) the answer: Gmail's 535 5.7.8, SendGrid's `apikey`.
            const refusal = o.profile?.auth?.(auth.username ?? '', ok);
            record(ok && !refusal ? 235 : (refusal?.code ?? 535));
            if (ok && !refusal) return callback(null, result);
            o.onReject?.();
            if (refusal) refuse(session, refusal, callback);
            else callback(result as Error);
          },
          { onReply: record },
        );
      },
      onMailFrom(address, session, callback) {
        const s = state(session);
        s.txReplies = [];
        const record = (code: number) =>
          s.txReplies.push({ command: 'MAIL', code, argument: address.address });
        gate(
          session,
          { stage: 'MAIL', sender: address.address, scope: scopeOf(session) },
          callback,
          () => {
            let err: Error | undefined;
            if (o.tlsMode === 'required' && !session.secure) err = smtpError(530, STARTTLS_REQUIRED_MESSAGE);
            else if (o.profile?.authRequired && !session.user) {
              record(o.profile.authRequired.code);
              o.onReject?.();
              return refuse(session, o.profile.authRequired, callback);
            } else if (strict && !session.user) err = smtpError(530, 'Authentication required');
            else if (stopping) err = smtpError(421, 'Server shutting down');
            record(err ? (err as Error & { responseCode: number }).responseCode : 250);
            if (err) o.onReject?.();
            callback(err);
          },
          { onReply: record },
        );
      },
      onRcptTo(address, session, callback) {
        const record = (code: number) =>
          state(session).txReplies.push({ command: 'RCPT', code, argument: address.address });
        const event = {
          stage: 'RCPT' as const,
          sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          recipients: [address.address],
          scope: scopeOf(session),
        };
        gate(
          session,
          event,
          callback,
          () => {
            record(250);
            callback();
          },
          { onReply: record },
        );
      },
      onData(stream, session, callback) {
        const event = {
          stage: 'DATA' as const,
          sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          recipients: session.envelope.rcptTo.map((r) => r.address),
          scope: scopeOf(session),
        };
        // A rule's reply (or silence, or drop) answers the end of the message, as real servers
        // refuse content: the message is read (and discarded) first.
        const settle = (act: () => void) => {
          stream.once('end', act);
          stream.resume();
        };
        gate(session, event, callback, () => receive(stream, session, callback), { settle });
      },
      onClose(session) {
        states.delete(session.id);
      },
    };
    const receive = (
      stream: Parameters<NonNullable<SMTPServerOptions['onData']>>[0],
      session: SMTPServerSession,
      callback: Parameters<NonNullable<SMTPServerOptions['onData']>>[2],
    ) => {
      {
        const s = state(session);
        const record = (): SessionRecord => {
          const user = session.user as unknown as AuthenticatedUser | undefined;
          const cipher = session.secure ? session.tlsOptions : false;
          return {
            clientAddress: session.remoteAddress,
            clientPort: session.remotePort,
            ehlo: session.hostNameAppearsAs || '',
            listener,
            tls: cipher
              ? {
                  protocol: cipher.version ?? '',
                  cipher: cipher.name ?? '',
                  upgraded: listener === 'submission',
                }
              : null,
            auth: user ? { mechanism: user.method, user: user.username } : null,
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            replies: [...s.authReplies, ...s.txReplies, { command: 'DATA', code: 250 }],
          };
        };
        const screen = o.profile?.screen;
        const work = receiveMessage(
          stream,
          o.store,
          record,
          screen &&
            ((fields, rec) => screen({ from: fields.from, mailFrom: rec.mailFrom, rcptTo: rec.rcptTo })),
        ).then(
          (result) => {
            if (typeof result === 'object' && 'refused' in result) {
              o.onReject?.();
              return refuse(session, result.refused, callback);
            }
            if (result !== 'too-large' && result !== 'aborted') callback(null, `OK: queued as ${result.id}`);
            else o.onReject?.();
            if (result === 'too-large')
              callback(smtpError(552, 'Message size exceeds fixed maximum message size'));
            else if (result === 'aborted') callback(smtpError(451, 'Message not received in full'));
          },
          () =>
            callback(smtpError(451, 'Temporary failure storing the message; nothing was stored, try again')),
        );
        inFlight.add(work);
        work.finally(() => {
          inFlight.delete(work);
          if (stopping) setImmediate(sweepIdle);
        });
      }
    };
    const ext = {
      promptLoopbackGreeting: o.promptLoopbackGreeting,
      requireTlsForAuth: o.tlsMode === 'required',
      listener,
      faults: o.faults,
    };
    const server = new CapturedSmtpServer(options, ext);
    // Errors on single connections (resets, TLS failures) must never take the process down.
    server.on('error', () => {});
    return server;
  };

  const submission = makeServer('submission');
  const implicitTls = makeServer('implicit-tls');
  const servers = [submission, implicitTls];

  /** Closes connections that are between transactions; busy ones finish first. */
  function sweepIdle(): void {
    for (const server of servers) {
      for (const conn of server.connections) {
        if (conn.session.envelope?.mailFrom) continue;
        conn.send(421, 'Server shutting down');
      }
    }
  }

  let submissionPort: number;
  let implicitTlsPort: number;
  try {
    submissionPort = await listen(submission, o.submissionPort, o.host);
    implicitTlsPort = await listen(implicitTls, o.implicitTlsPort, o.host);
  } catch (err) {
    for (const s of servers) s.server.close();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    submissionPort,
    implicitTlsPort,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        // Connections a fault holds silent would otherwise keep close() waiting.
        o.faults?.release();
        const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
        sweepIdle();
        // smtp-server itself 421s whatever is left after closeTimeout, so this is bounded.
        await Promise.all(closed);
        await Promise.allSettled([...inFlight]);
      })();
      return stopped;
    },
  };
}
