// The local CA's certificates, written and signed with Node's own crypto (DER by der.ts).
// New keys are ECDSA P-256: a key takes well under a millisecond to make, where RSA-2048 took
// 40-150 ms (and node-forge's JavaScript signing another ~30 ms per certificate); every stack
// and mail server a test starts makes a CA and a leaf. A CA persisted by an earlier version
// (RSA) still issues leaves: the signature algorithm follows the CA's key.
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { isIP } from 'node:net';
import { ipv6Bytes } from '../util/ip-value.ts';
import {
  bitString,
  boolean,
  type Element,
  elements,
  explicit,
  implicit,
  nullValue,
  objectIdentifier,
  octetString,
  root,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.ts';

export interface CaMaterial {
  certPem: string;
  keyPem: string;
}

const OID = {
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** Certificates start an hour in the past so a client clock slightly behind ours still accepts them. */
function validity(days: number): Buffer {
  const now = Date.now();
  return sequence(time(new Date(now - 60 * 60 * 1000)), time(new Date(now + days * DAY_MS)));
}

/** 16 random bytes with the top bit cleared: X.509 serials must be positive and unique per issuer. */
function randomSerial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return unsignedInteger(bytes);
}

function name(attributes: [oid: string, value: string][]): Buffer {
  return sequence(
    ...attributes.map(([oid, value]) => set(sequence(objectIdentifier(oid), utf8String(value)))),
  );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), boolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

/** keyUsage named bits (RFC 5280 4.2.1.3) as a DER BIT STRING, trailing zero bits dropped. */
function keyUsage(bits: number[]): Buffer {
  let v = 0;
  for (const b of bits) v |= 0x80 >> b;
  let unused = 0;
  while (unused < 7 && !(v & (1 << unused))) unused++;
  return bitString(Buffer.from([v]), unused);
}
const DIGITAL_SIGNATURE = 0;
const KEY_CERT_SIGN = 5;
const CRL_SIGN = 6;

function newKey(): { privateKey: KeyObject; spki: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

/** RFC 5280's first method: SHA-1 of the subjectPublicKey bits (as node-forge computed it too). */
function keyIdentifier(spki: Buffer): Buffer {
  const [, key] = elements(root(spki).content);
  if (key?.tag !== 0x03) throw new Error('SubjectPublicKeyInfo without a key');
  return createHash('sha1').update(key.content.subarray(1)).digest();
}

function signatureAlgorithm(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'ec') return sequence(objectIdentifier(OID.ecdsaWithSha256));
  if (key.asymmetricKeyType === 'rsa') return sequence(objectIdentifier(OID.sha256WithRsa), nullValue());
  throw new Error(`the CA's key is ${key.asymmetricKeyType}; only EC and RSA CA keys can sign here`);
}

/** Builds the TBSCertificate around `fields`, signs it with `issuerKey`, returns the PEM. */
function signed(
  issuerKey: KeyObject,
  fields: { issuer: Buffer; subject: Buffer; spki: Buffer; days: number; extensions: Buffer[] },
): string {
  const algorithm = signatureAlgorithm(issuerKey);
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    randomSerial(),
    algorithm,
    fields.issuer,
    validity(fields.days),
    fields.subject,
    fields.spki,
    explicit(3, sequence(...fields.extensions)),
  );
  const signature = sign('sha256', tbs, issuerKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const body = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string;

export function createCaCertificate(commonName: string, days: number): CaMaterial {
  const { privateKey, spki } = newKey();
  const subject = name([
    [OID.commonName, commonName],
    [OID.organizationName, 'FocusMate offline stack'],
  ]);
  const certPem = signed(privateKey, {
    issuer: subject,
    subject,
    spki,
    days,
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true))),
      extension(OID.keyUsage, true, keyUsage([DIGITAL_SIGNATURE, KEY_CERT_SIGN, CRL_SIGN])),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
    ],
  });
  return { certPem, keyPem: pkcs8(privateKey) };
}

function subjectAltName(host: string): Buffer {
  // iPAddress [7] (4 or 16 bytes), dNSName [2] (RFC 5280 GeneralName); an IP in a dNSName never matches.
  if (!isIP(host)) {
    // A dNSName is IA5 (ASCII); an internationalized name goes in its xn-- (punycode) form.
    if (!/^[A-Za-z0-9*_.-]+$/.test(host)) {
      throw new Error(
        `certificate host ${JSON.stringify(host)} is neither an ASCII DNS name nor an IP address (write an internationalized name in its xn-- form)`,
      );
    }
    return implicit(2, Buffer.from(host, 'ascii'));
  }
  if (isIP(host) === 4) return implicit(7, Buffer.from(host.split('.').map(Number)));
  return implicit(7, ipv6Bytes(host));
}

/** The CA certificate's subject (the leaf's issuer, byte for byte), key and key identifier. */
function caParts(ca: CaMaterial): { subject: Buffer; keyId: Buffer } {
  const [tbs] = elements(root(new X509Certificate(ca.certPem).raw).content);
  if (!tbs) throw new Error('CA certificate without a body');
  const fields = elements(tbs.content);
  const rest = fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
  // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, then the optional ones.
  const [, , , , subject, spki, ...tail] = rest as (Element | undefined)[];
  if (!subject || !spki) throw new Error('CA certificate without a subject or key');
  return { subject: subject.whole, keyId: declaredKeyId(tail) ?? keyIdentifier(spki.whole) };
}

/** The subjectKeyIdentifier the CA certificate declares, if it does. */
function declaredKeyId(tail: (Element | undefined)[]): Buffer | undefined {
  const wrapper = tail.find((e) => e?.tag === 0xa3);
  if (!wrapper) return undefined;
  const [list] = elements(wrapper.content);
  const skiOid = objectIdentifier(OID.subjectKeyIdentifier);
  for (const ext of list ? elements(list.content) : []) {
    const parts = elements(ext.content);
    if (!parts[0]?.whole.equals(skiOid)) continue;
    const value = parts[parts.length - 1]!;
    const [inner] = elements(value.content);
    return inner?.tag === 0x04 ? Buffer.from(inner.content) : undefined;
  }
  return undefined;
}

export function createLeafCertificate(ca: CaMaterial, hosts: string[], days: number): CaMaterial {
  if (hosts.length === 0) throw new Error('a leaf certificate needs at least one host name or IP address');
  const { subject: issuer, keyId: caKeyId } = caParts(ca);
  const { privateKey, spki } = newKey();
  const certPem = signed(createPrivateKey(ca.keyPem), {
    issuer,
    subject: name([[OID.commonName, hosts[0]!]]),
    spki,
    days,
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      // An EC key signs (ECDHE); it never enciphers a key, so digitalSignature alone.
      extension(OID.keyUsage, true, keyUsage([DIGITAL_SIGNATURE])),
      extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
      extension(OID.subjectAltName, false, sequence(...hosts.map(subjectAltName))),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
      extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, caKeyId))),
    ],
  });
  return { certPem, keyPem: pkcs8(privateKey) };
}
