// The DER pieces certificates are written with (stack/tls/der.ts), checked against Node's and
// OpenSSL's own reading of what they produce.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  elements,
  objectIdentifier,
  octetString,
  root,
  sequence,
  time,
  unsignedInteger,
} from '../../stack/tls/der.ts';
import { createCaCertificate, createLeafCertificate } from '../../stack/tls/x509.ts';

describe('DER', () => {
  it('writes short, one-byte and two-byte lengths, and reads them back', () => {
    for (const n of [0, 127, 128, 255, 256, 70_000]) {
      const der = octetString(Buffer.alloc(n, 7));
      const el = root(der);
      expect(el.tag).toBe(0x04);
      expect(el.content.length).toBe(n);
    }
    expect([...octetString(Buffer.alloc(200)).subarray(0, 3)]).toEqual([0x04, 0x81, 200]);
    expect([...octetString(Buffer.alloc(300)).subarray(0, 4)]).toEqual([0x04, 0x82, 0x01, 0x2c]);
  });

  it('keeps INTEGERs positive and minimal', () => {
    expect([...unsignedInteger(Buffer.from([0x80]))]).toEqual([0x02, 0x02, 0x00, 0x80]);
    expect([...unsignedInteger(Buffer.from([0x00, 0x00, 0x05]))]).toEqual([0x02, 0x01, 0x05]);
    expect([...unsignedInteger(Buffer.from([0x00]))]).toEqual([0x02, 0x01, 0x00]);
  });

  it('encodes object identifiers with multi-byte arcs', () => {
    // 1.2.840.113549.1.1.11, as every RSA certificate carries it.
    expect(objectIdentifier('1.2.840.113549.1.1.11').toString('hex')).toBe('06092a864886f70d01010b');
  });

  it('writes UTCTime before 2050 and GeneralizedTime from 2050', () => {
    expect(time(new Date('2049-12-31T23:59:59Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });

  it('refuses an element that runs past its parent', () => {
    expect(() => elements(Buffer.from([0x30, 0x05, 0x01]))).toThrow(/past its parent/);
    expect(() => root(Buffer.concat([sequence(), sequence()]))).toThrow(/exactly one/);
  });
});

describe('certificates', () => {
  it('a CA valid past 2049 parses, and its leaf verifies against it', () => {
    const ca = createCaCertificate('Long CA', 40 * 366);
    const cert = new X509Certificate(ca.certPem);
    expect(new Date(cert.validTo).getUTCFullYear()).toBeGreaterThanOrEqual(2060);
    expect(cert.ca).toBe(true);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    const leaf = new X509Certificate(
      createLeafCertificate(ca, ['localhost', 'fe80::1', '10.0.0.1'], 1).certPem,
    );
    expect(leaf.verify(cert.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:FE80:0:0:0:0:0:0:1, IP Address:10.0.0.1');
  });

  it('carries a long host name whole (a SAN entry past 127 bytes has a longer length field)', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.example`;
    const ca = createCaCertificate('C', 1);
    const leaf = new X509Certificate(createLeafCertificate(ca, [long, 'localhost'], 1).certPem);
    expect(leaf.subjectAltName).toBe(`DNS:${long}, DNS:localhost`);
    expect(leaf.checkHost(long)).toBe(long);
  });

  it('refuses a host name that is not ASCII, naming it', () => {
    const ca = createCaCertificate('C', 1);
    expect(() => createLeafCertificate(ca, ['bücher.example'], 1)).toThrow(/"bücher.example".*xn--/);
    expect(() => createLeafCertificate(ca, ['a b'], 1)).toThrow(/"a b"/);
    expect(() => createLeafCertificate(ca, [], 1)).toThrow(/at least one/);
  });

  it('two CAs differ in key and serial', () => {
    const a = new X509Certificate(createCaCertificate('A', 1).certPem);
    const b = new X509Certificate(createCaCertificate('A', 1).certPem);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.publicKey.export({ format: 'jwk' })).not.toEqual(b.publicKey.export({ format: 'jwk' }));
  });
});
