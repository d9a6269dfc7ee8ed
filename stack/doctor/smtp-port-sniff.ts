// Second looks at a port after a failure, to tell "wrong mode" from "nothing answers": a port
// that never greets may be waiting for a TLS ClientHello (SSL), and a port that breaks the TLS
// handshake may be greeting in plain text (STARTTLS).
import { isIP, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** Whether a TLS handshake completes on host:port (the certificate is not judged here). */
export function speaksImplicitTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      servername: isIP(host) === 0 ? host : undefined,
      // Only the protocol is in question; the certificate is verified by the probe proper.
      rejectUnauthorized: false,
    });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** Whether host:port greets in plain text with an SMTP 220 line. */
export function greetsInPlainText(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    let text = '';
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\n')) done(/^220[ -]/.test(text));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}
