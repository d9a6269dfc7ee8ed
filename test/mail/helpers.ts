// Test helpers: real clients (nodemailer, /usr/bin/swaks) and a tiny raw SMTP dialog for
// protocol-level and hostile-input cases no well-behaved client would produce.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { execa } from 'execa';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { MailServer } from '../../stack/mail/server.ts';

/** A child env without the CA-bundle variables and pyenv shims of this machine. */
export function cleanEnv(): Record<string, string> {
  return { PATH: '/usr/bin:/bin', HOME: tmpdir(), LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
}

/** A directory under the OS temp dir, removed with everything in it on dispose. */
export interface TempDir extends Disposable {
  readonly path: string;
}

/** A fresh temp directory; `using dir = tempDir()` removes it however the test ends. */
export function tempDir(prefix = 'mail-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** A file in its own temp directory; disposing it removes the directory. */
export interface TempFile extends Disposable {
  readonly path: string;
}

/** Writes the server's CA to a file for clients that take a path (swaks). */
export function caFile(mail: MailServer): TempFile {
  const dir = tempDir('mail-ca-');
  const path = join(dir.path, 'ca.pem');
  try {
    writeFileSync(path, mail.caCertPem);
  } catch (error) {
    dir[Symbol.dispose]();
    throw error;
  }
  return { path, [Symbol.dispose]: dir[Symbol.dispose] };
}

export async function swaks(args: string[]) {
  const result = await execa('/usr/bin/swaks', ['--server', '127.0.0.1', '--timeout', '10', ...args], {
    env: cleanEnv(),
    extendEnv: false,
    reject: false,
    timeout: 20_000,
  });
  if (`${result.stdout}`.includes('requires Net::SSLeay')) {
    throw new Error(
      'swaks cannot speak TLS here: install the Debian packages libnet-ssleay-perl and libio-socket-ssl-perl',
    );
  }
  return result;
}

export function transport(
  mail: MailServer,
  options: Partial<SMTPTransport.Options> & Partial<SMTPPool.Options> & { implicitTls?: boolean } = {},
): Transporter<SMTPTransport.SentMessageInfo> {
  const { implicitTls, ...rest } = options;
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: implicitTls ? mail.smtpsPort : mail.smtpPort,
    secure: Boolean(implicitTls),
    tls: { ca: mail.caCertPem, servername: 'localhost' },
    ...rest,
  } as SMTPTransport.Options);
}

/** One SMTP reply: all its lines, the code of the last. */
export interface Reply {
  code: number;
  lines: string[];
  text: string;
}

/** A raw SMTP conversation, one command and its reply at a time. */
export class RawSmtp {
  #socket: net.Socket | tls.TLSSocket;
  #buffer = '';
  #waiters: (() => void)[] = [];
  closed = false;

  private constructor(socket: net.Socket | tls.TLSSocket) {
    this.#socket = socket;
    this.#attach(socket);
  }

  #attach(socket: net.Socket | tls.TLSSocket): void {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.#buffer += d;
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number, options: { implicitTls?: string } = {}): Promise<RawSmtp> {
    const socket = options.implicitTls
      ? tls.connect({ host: '127.0.0.1', port, ca: options.implicitTls, servername: 'localhost' })
      : net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.implicitTls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawSmtp(socket);
  }

  /** Reads one complete (possibly multi-line) reply. */
  async reply(timeoutMs = 5000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.#buffer.split('\r\n');
      const end = lines.findIndex((l) => /^\d{3} /.test(l) || /^\d{3}$/.test(l));
      if (end >= 0) {
        const taken = lines.slice(0, end + 1);
        this.#buffer = lines.slice(end + 1).join('\r\n');
        return { code: Number(taken[end]!.slice(0, 3)), lines: taken, text: taken.join('\n') };
      }
      if (this.closed) throw new Error(`connection closed; pending: ${JSON.stringify(this.#buffer)}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no SMTP reply within ${timeoutMs} ms; pending: ${JSON.stringify(this.#buffer)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  write(data: string | Buffer): void {
    this.#socket.write(data);
  }

  async command(line: string | Buffer): Promise<Reply> {
    this.write(typeof line === 'string' ? `${line}\r\n` : Buffer.concat([line, Buffer.from('\r\n')]));
    return this.reply();
  }

  async startTls(ca: string): Promise<void> {
    const plain = this.#socket as net.Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tls.connect({ socket: plain, ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.#socket = secure;
    this.#attach(secure);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.#socket.once('close', () => resolve());
      this.#socket.end();
    });
  }
}

/** A minimal RFC 5322 message. */
export function rfc822(subject: string, body = 'hello', extraHeaders = ''): string {
  return `From: a@example.com\r\nTo: b@example.com\r\nSubject: ${subject}\r\n${extraHeaders}\r\n${body}\r\n`;
}
