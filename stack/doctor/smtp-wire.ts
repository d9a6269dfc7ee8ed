// A minimal SMTP client connection: send a command, read one (multi-line) reply, each wait
// bounded. The doctor needs each step and each reply to report them; nodemailer's verify() only
// says whether everything worked.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface SmtpReply {
  code: number;
  /** The reply text, one entry per line, without the code. */
  lines: string[];
}

/** A failure at one wait: the reply that refused, or the socket error / timeout. */
export class SmtpWireError extends Error {
  readonly code: string | undefined;
  readonly timedOut: boolean;

  constructor(message: string, options: { code?: string; timedOut?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SmtpWireError';
    this.code = options.code;
    this.timedOut = options.timedOut ?? false;
  }
}

export function replyText(reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' / ')}`;
}

const REPLY_LINE = /^(\d{3})([ -]|$)(.*)$/;

/** One SMTP connection; the socket can be swapped for its TLS upgrade (STARTTLS). */
export class SmtpWire {
  /** What was said, `C:` and `S:` lines; AUTH payloads never appear. */
  readonly transcript: string[] = [];
  #socket: Socket | TLSSocket;
  #buffer = '';
  #lines: string[] = [];
  #waiter: { resolve: () => void } | undefined;
  #error: SmtpWireError | undefined;
  readonly #onData = (chunk: Buffer) => {
    this.#buffer += chunk.toString('utf8');
    let at = this.#buffer.indexOf('\n');
    while (at >= 0) {
      this.#lines.push(this.#buffer.slice(0, at).replace(/\r$/, ''));
      this.#buffer = this.#buffer.slice(at + 1);
      at = this.#buffer.indexOf('\n');
    }
    this.#wake();
  };
  readonly #onError = (error: NodeJS.ErrnoException) => {
    this.#error ??= new SmtpWireError(error.message, { code: error.code, cause: error });
    this.#wake();
  };
  readonly #onClose = () => {
    this.#error ??= new SmtpWireError('the server closed the connection', { code: 'ECONNRESET' });
    this.#wake();
  };

  constructor(socket: Socket | TLSSocket) {
    this.#socket = socket;
    this.#attach();
  }

  get socket(): Socket | TLSSocket {
    return this.#socket;
  }

  #attach(): void {
    this.#socket.on('data', this.#onData);
    this.#socket.on('error', this.#onError);
    this.#socket.on('close', this.#onClose);
  }

  /** Stops listening to the current socket (before handing it to tls.connect). */
  detach(): Socket | TLSSocket {
    this.#socket.off('data', this.#onData);
    this.#socket.off('error', this.#onError);
    this.#socket.off('close', this.#onClose);
    return this.#socket;
  }

  /** Continues on the upgraded socket. */
  adopt(socket: TLSSocket): void {
    this.#socket = socket;
    this.#buffer = '';
    this.#lines = [];
    this.#attach();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve();
  }

  #takeReply(): SmtpReply | undefined {
    const end = this.#lines.findIndex((line) => REPLY_LINE.exec(line)?.[2] !== '-');
    if (end < 0) return undefined;
    const raw = this.#lines.splice(0, end + 1);
    for (const line of raw) this.transcript.push(`S: ${line}`);
    const last = REPLY_LINE.exec(raw[end]!);
    if (!last) throw new SmtpWireError(`not an SMTP reply: ${JSON.stringify(raw[end]!.slice(0, 80))}`);
    return { code: Number(last[1]), lines: raw.map((l) => REPLY_LINE.exec(l)?.[3] ?? l) };
  }

  /** The next complete reply, or a timeout / socket error. */
  async reply(timeoutMs: number, waitingFor: string): Promise<SmtpReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.#takeReply();
      if (reply) return reply;
      if (this.#error) throw this.#error;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new SmtpWireError(`no ${waitingFor} within ${timeoutMs} ms`, {
          code: 'ETIMEDOUT',
          timedOut: true,
        });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = {
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    }
  }

  /** Sends a command; `shown` replaces it in the transcript (AUTH payloads). */
  send(line: string, shown: string = line): void {
    this.transcript.push(`C: ${shown}`);
    this.#socket.write(`${line}\r\n`);
  }

  async command(line: string, timeoutMs: number, shown?: string): Promise<SmtpReply> {
    this.send(line, shown);
    return this.reply(timeoutMs, `reply to ${(shown ?? line).split(' ')[0]}`);
  }

  close(): void {
    this.detach();
    this.#socket.on('error', () => {});
    this.#socket.destroy();
  }
}
