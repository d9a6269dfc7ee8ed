import { X509Certificate } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LEAF_HOSTS, type LocalCa, loadOrCreateLocalCa } from '../../stack/tls/local-ca.ts';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

/** Resolves with the server's greeting on success, rejects with the client's TLS error otherwise. */
function handshake(port: number, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: [ca], servername }, () => {
      socket.once('data', (data) => {
        socket.end();
        resolve(data.toString());
      });
    });
    socket.once('error', reject);
  });
}

describe('local CA', () => {
  let ca: LocalCa;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    ca = await loadOrCreateLocalCa();
    const leaf = ca.issue([...DEFAULT_LEAF_HOSTS]);
    server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end('hello'));
    port = await listen(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('issues a CA certificate and a server-auth leaf carrying the hosts as SANs', () => {
    const caCert = new X509Certificate(ca.caCertPem);
    expect(caCert.ca).toBe(true);
    expect(ca.caFile).toBeUndefined();
    const leaf = new X509Certificate(ca.issue(['localhost', '127.0.0.1', '::1']).certPem);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toContain('DNS:localhost');
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(leaf.subjectAltName).toMatch(/IP Address:(0:0:0:0:0:0:0:1|::1)/);
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(820);
    expect(days).toBeLessThanOrEqual(826);
  });

  it('a client trusting only the CA completes a handshake by name', async () => {
    await expect(handshake(port, ca.caCertPem, 'localhost')).resolves.toBe('hello');
  });

  it('a client trusting only the CA completes a handshake by IP address', async () => {
    await expect(handshake(port, ca.caCertPem)).resolves.toBe('hello');
  });

  it('a client trusting a different CA fails with a certificate error', async () => {
    const other = await loadOrCreateLocalCa();
    await expect(handshake(port, other.caCertPem, 'localhost')).rejects.toMatchObject({
      code: expect.stringMatching(
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/,
      ),
    });
  });

  it('a leaf for another host fails hostname verification', async () => {
    const leaf = ca.issue(['example.test']);
    const other = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end('x'));
    const otherPort = await listen(other);
    try {
      await expect(handshake(otherPort, ca.caCertPem, 'localhost')).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
    } finally {
      other.close();
    }
  });
});

describe('persisted local CA', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-ca-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is created once with a private key file and reused by the next load', async () => {
    const caDir = join(dir, 'ca');
    const first = await loadOrCreateLocalCa(caDir);
    expect(first.caFile).toBe(join(caDir, 'ca.pem'));
    expect(await readFile(first.caFile!, 'utf8')).toBe(first.caCertPem);
    expect((await stat(join(caDir, 'ca-key.pem'))).mode & 0o777).toBe(0o600);

    const second = await loadOrCreateLocalCa(caDir);
    expect(second.caCertPem).toBe(first.caCertPem);
    // A leaf from the reloaded CA verifies against the first load's certificate: the key was reused too.
    const leaf = new X509Certificate(second.issue(['localhost']).certPem);
    expect(leaf.verify(new X509Certificate(first.caCertPem).publicKey)).toBe(true);
  });

  it('keeps issuing from an RSA CA persisted by an earlier version, whose leaves clients trust', async () => {
    // Earlier versions made RSA-2048 CAs (fixtures/rsa-ca, made with openssl); new ones are P-256.
    const caDir = join(dir, 'rsa');
    await cp(new URL('./fixtures/rsa-ca', import.meta.url), caDir, { recursive: true });
    const ca = await loadOrCreateLocalCa(caDir);
    expect(new X509Certificate(ca.caCertPem).publicKey.asymmetricKeyType).toBe('rsa');
    const leaf = ca.issue([...DEFAULT_LEAF_HOSTS]);
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.checkIssued(new X509Certificate(ca.caCertPem))).toBe(true);
    const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end('hello'));
    const port = await listen(server);
    try {
      await expect(handshake(port, ca.caCertPem, 'localhost')).resolves.toBe('hello');
      await expect(handshake(port, ca.caCertPem)).resolves.toBe('hello');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('concurrent first loads agree on one CA', async () => {
    const caDir = join(dir, 'race');
    const loads = await Promise.all([1, 2, 3].map(() => loadOrCreateLocalCa(caDir)));
    expect(new Set(loads.map((l) => l.caCertPem)).size).toBe(1);
    expect(await readFile(join(caDir, 'ca.pem'), 'utf8')).toBe(loads[0]!.caCertPem);
  });
});
