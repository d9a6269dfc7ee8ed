import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

const { pki } = forge;

/** A PEM key pair generated natively (node-forge's JS RSA keygen is ~100x slower). */
export interface PemKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

export function generateRsaKeyPair(): PemKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/** 16 random bytes with the top bit cleared: X.509 serials must be positive and unique per issuer. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Certificates start an hour in the past so a client clock slightly behind ours still accepts them. */
function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 60 * 60 * 1000), notAfter: new Date(now + days * DAY_MS) };
}

export interface CaMaterial {
  certPem: string;
  keyPem: string;
}

export function createCaCertificate(commonName: string, days: number): CaMaterial {
  const keys = generateRsaKeyPair();
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = randomSerial();
  const { notBefore, notAfter } = validity(days);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'FocusMate offline stack' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { certPem: pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

function subjectAltName(host: string): { type: number; value?: string; ip?: string } {
  // Type 7 is iPAddress, type 2 dNSName (RFC 5280 GeneralName); an IP in a dNSName never matches.
  return isIP(host) ? { type: 7, ip: host } : { type: 2, value: host };
}

export function createLeafCertificate(ca: CaMaterial, hosts: string[], days: number): CaMaterial {
  if (hosts.length === 0) throw new Error('a leaf certificate needs at least one host name or IP address');
  const caCert = pki.certificateFromPem(ca.certPem);
  const keys = generateRsaKeyPair();
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = randomSerial();
  const { notBefore, notAfter } = validity(days);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: hosts[0]! }]);
  cert.setIssuer(caCert.subject.attributes);
  const caKeyId = caCert.generateSubjectKeyIdentifier().getBytes();
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hosts.map(subjectAltName) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyId },
  ]);
  cert.sign(pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}
