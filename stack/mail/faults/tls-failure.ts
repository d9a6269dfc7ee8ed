// Failing a TLS handshake on purpose, on the raw socket (after STARTTLS's 220, or as the first
// thing on the implicit-TLS listener). Whatever the mode, no SMTP session follows.
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { DEFAULT_LEAF_HOSTS, loadOrCreateLocalCa } from '../../tls/local-ca.ts';
import type { TlsFailureMode } from './smtp-rules.ts';

/** A fatal handshake_failure alert record (RFC 8446 §6): what a server sends when it gives up. */
const HANDSHAKE_FAILURE_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);

/** A certificate for the right names from a CA made up on the spot, which no client trusts. */
export async function untrustedContext(): Promise<SecureContext> {
  const ca = await loadOrCreateLocalCa();
  const leaf = ca.issue([...DEFAULT_LEAF_HOSTS]);
  return createSecureContext({ cert: leaf.certPem, key: leaf.keyPem });
}

export function failHandshake(
  socket: Socket,
  mode: TlsFailureMode,
  context: () => Promise<SecureContext>,
): void {
  socket.on('error', () => {});
  if (mode === 'untrusted-cert') {
    void context().then(
      (secureContext) => {
        if (socket.destroyed) return;
        const tls = new TLSSocket(socket, { isServer: true, secureContext });
        tls.on('error', () => socket.destroy());
        // A client that does not verify certificates gets through the handshake: it then finds
        // the connection closed, since this fault never leads to a session.
        tls.once('secure', () => tls.destroy());
      },
      () => socket.destroy(),
    );
    return;
  }
  // Wait for the ClientHello, so the failure is the handshake's and not the connection's.
  socket.once('data', () => {
    if (mode === 'reset') socket.resetAndDestroy();
    else socket.end(HANDSHAKE_FAILURE_ALERT);
  });
  socket.resume();
}
