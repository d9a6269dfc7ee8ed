// ingest() error paths that SDK captures do not reach: declared checksum headers, Content-MD5,
// size limits on undeclared lengths, the signed-trailer payload mode, and clients that vanish.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { authenticate, checksumOf, ingest } from '../../../stack/s3/ingest/index.ts';
import { credentials, lookup, streamError, thrown, UNSIGNED, USER } from './fixtures.ts';

const unsigned = UNSIGNED;
const body = Buffer.from('hello, focusmate');

function run(headers: IncomingHttpHeaders, bytes = body, maxBytes = 1 << 20, auth = unsigned) {
  return ingest(Readable.from([bytes]), {
    auth,
    headers: { 'content-length': String(bytes.length), ...headers },
    maxBytes,
  });
}

describe('declared checksum headers', () => {
  it('each algorithm verifies', async () => {
    for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
      const got = run({ [`x-amz-checksum-${alg.toLowerCase()}`]: checksumOf(alg, body) });
      expect((await buffer(got.body)).equals(body)).toBe(true);
      expect(got.result().checksum).toEqual({ algorithm: alg, value: checksumOf(alg, body) });
    }
  });

  it('a wrong value → BadDigest in S3 wording', async () => {
    const err = await streamError(
      run({ 'x-amz-checksum-sha256': checksumOf('SHA256', Buffer.from('x')) }).body,
    );
    expect([err.code, err.status, err.message]).toEqual([
      'BadDigest',
      400,
      'The SHA256 you specified did not match the calculated checksum.',
    ]);
  });

  it('a malformed value → InvalidRequest naming the header', async () => {
    const err = await streamError(run({ 'x-amz-checksum-crc32c': 'AAAA' }).body);
    expect([err.code, err.message]).toEqual([
      'InvalidRequest',
      'Value for x-amz-checksum-crc32c header is invalid.',
    ]);
  });

  it('two checksum headers → InvalidRequest', async () => {
    const err = await streamError(
      run({
        'x-amz-checksum-crc32': checksumOf('CRC32', body),
        'x-amz-checksum-sha1': checksumOf('SHA1', body),
      }).body,
    );
    expect([err.code, err.message]).toEqual([
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    ]);
  });

  it('x-amz-sdk-checksum-algorithm alone, or unknown → InvalidRequest', async () => {
    expect((await streamError(run({ 'x-amz-sdk-checksum-algorithm': 'CRC32' }).body)).message).toBe(
      'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    );
    expect((await streamError(run({ 'x-amz-sdk-checksum-algorithm': 'MD5' }).body)).message).toBe(
      'Value for x-amz-sdk-checksum-algorithm header is invalid.',
    );
  });

  it('x-amz-trailer on a body without trailers → InvalidRequest', async () => {
    expect((await streamError(run({ 'x-amz-trailer': 'x-amz-checksum-crc32' }).body)).code).toBe(
      'InvalidRequest',
    );
  });

  it('checksum-related headers that are not checksum values are ignored', async () => {
    const got = run({ 'x-amz-checksum-type': 'FULL_OBJECT', 'x-amz-checksum-algorithm': 'CRC32' });
    expect((await buffer(got.body)).equals(body)).toBe(true);
  });
});

describe('Content-MD5', () => {
  const md5 = createHash('md5').update(body).digest('base64');
  it('matching passes and the ETag digest is reported', async () => {
    const got = run({ 'content-md5': md5 });
    await buffer(got.body);
    expect(got.result().md5Hex).toBe(Buffer.from(md5, 'base64').toString('hex'));
  });
  it('mismatch → BadDigest with ExpectedDigest (hex) and CalculatedDigest (base64), as S3', async () => {
    const other = createHash('md5').update('x').digest('base64');
    const err = await streamError(run({ 'content-md5': other }).body);
    expect([err.code, err.message]).toEqual([
      'BadDigest',
      'The Content-MD5 you specified did not match what we received.',
    ]);
    expect(err.extra).toEqual({
      ExpectedDigest: Buffer.from(other, 'base64').toString('hex'),
      CalculatedDigest: md5,
    });
  });
  it('malformed → InvalidDigest', async () => {
    for (const bad of ['abc', md5.slice(0, -2), Buffer.alloc(15).toString('base64')]) {
      expect((await streamError(run({ 'content-md5': bad }).body)).code).toBe('InvalidDigest');
    }
  });
});

describe('size limits', () => {
  it('an undeclared length over the limit errors as soon as it is passed, not after reading everything', async () => {
    let pulled = 0;
    const raw = new Readable({
      read() {
        pulled++;
        this.push(pulled > 1000 ? null : Buffer.alloc(16 * 1024));
      },
    });
    const got = ingest(raw, { auth: unsigned, headers: {}, maxBytes: 100_000 });
    const err = await streamError(got.body);
    expect(err.code).toBe('EntityTooLarge');
    expect(err.extra).toEqual({ MaxSizeAllowed: '100000' });
    expect(pulled).toBeLessThan(50);
  });
  it('exactly the limit passes', async () => {
    const got = run({}, Buffer.alloc(1000), 1000);
    expect((await buffer(got.body)).length).toBe(1000);
  });
  it('Content-Length over the limit → EntityTooLarge with ProposedSize', async () => {
    const err = await streamError(run({}, Buffer.alloc(1001), 1000).body);
    expect(err.extra).toEqual({ ProposedSize: '1001', MaxSizeAllowed: '1000' });
  });
});

describe('clients that go away', () => {
  it('a raw stream destroyed mid-body → IncompleteBody, promptly', async () => {
    const raw = new PassThrough();
    const got = ingest(raw, { auth: unsigned, headers: { 'content-length': '100' }, maxBytes: 1000 });
    raw.write(Buffer.alloc(10));
    setImmediate(() => raw.destroy());
    expect((await streamError(got.body)).code).toBe('IncompleteBody');
  });
  it('a raw stream that errors → IncompleteBody', async () => {
    const raw = new PassThrough();
    const got = ingest(raw, { auth: unsigned, headers: {}, maxBytes: 1000 });
    setImmediate(() => raw.destroy(new Error('ECONNRESET')));
    expect((await streamError(got.body)).code).toBe('IncompleteBody');
  });
  it('result() before the end is a programming error, not a wrong answer', () => {
    const got = run({});
    expect(() => got.result()).toThrow(/before the body ended/);
    got.body.resume();
  });
});

describe('anonymous requests', () => {
  it('decode an aws-chunked unsigned-trailer body too', async () => {
    const anon = authenticate(
      {
        method: 'PUT',
        rawPath: '/b/k',
        rawQuery: '',
        headers: { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
      },
      { lookup },
    );
    const wire = Buffer.from(
      `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${checksumOf('CRC32', Buffer.from('hello'))}\r\n\r\n`,
    );
    const got = ingest(Readable.from([wire]), {
      auth: anon,
      headers: {
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': '5',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
      maxBytes: 100,
    });
    expect((await buffer(got.body)).toString()).toBe('hello');
  });
  it('cannot claim signed chunks', async () => {
    const anon = authenticate(
      {
        method: 'PUT',
        rawPath: '/b/k',
        rawQuery: '',
        headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' },
      },
      { lookup },
    );
    const got = ingest(Readable.from([Buffer.from('0\r\n\r\n')]), {
      auth: anon,
      headers: { 'x-amz-decoded-content-length': '0' },
      maxBytes: 100,
    });
    expect((await streamError(got.body)).code).toBe('InvalidRequest');
  });
});

describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', () => {
  // The chunk chain follows the algorithm verified against AWS's published example
  // (aws-example.test.ts); the trailer is signed over "name:value\n" lines, per the AWS docs.
  const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();
  const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
  const EMPTY = sha('');

  /** A different first hex digit: `replace(/./, 'f')` leaves 1 signature in 16 unchanged. */
  const flipFirst = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);

  async function signedTrailerUpload(
    payload: Buffer,
    damage?: 'trailer-sig' | 'trailer-value' | 'no-trailer-sig',
  ) {
    const date = new Date();
    const headers: Record<string, string> = {
      host: 'localhost',
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(payload.length),
      'x-amz-trailer': 'x-amz-checksum-crc64nvme',
    };
    const signer = new SignatureV4({
      credentials,
      region: 'us-east-1',
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
    });
    const signed = await signer.sign(
      { method: 'PUT', protocol: 'http:', hostname: 'localhost', path: '/b/k', query: {}, headers },
      { signingDate: date },
    );
    const auth = authenticate(
      { method: 'PUT', rawPath: '/b/k', rawQuery: '', headers: signed.headers },
      { lookup },
    );
    expect(auth.payload).toBe('streaming-signed-trailer');
    const amzDate = signed.headers['x-amz-date'];
    const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
    const key = hmac(
      hmac(hmac(hmac(`AWS4${USER.secretAccessKey}`, amzDate.slice(0, 8)), 'us-east-1'), 's3'),
      'aws4_request',
    );
    let prev = /Signature=(\w+)/.exec(signed.headers.authorization)![1];
    const parts: Buffer[] = [];
    const chunks = [payload.subarray(0, 65536), payload.subarray(65536), Buffer.alloc(0)].filter(
      (c, i, all) => c.length > 0 || i === all.length - 1,
    );
    for (const chunk of chunks) {
      prev = hmac(
        key,
        `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${prev}\n${EMPTY}\n${sha(chunk)}`,
      ).toString('hex');
      parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${prev}\r\n`), chunk);
      if (chunk.length > 0) parts.push(Buffer.from('\r\n'));
    }
    let value = checksumOf('CRC64NVME', payload);
    const trailerSig = hmac(
      key,
      `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${prev}\n${sha(`x-amz-checksum-crc64nvme:${value}\n`)}`,
    ).toString('hex');
    if (damage === 'trailer-value') value = checksumOf('CRC64NVME', Buffer.from('other'));
    parts.push(Buffer.from(`x-amz-checksum-crc64nvme:${value}\r\n`));
    if (damage !== 'no-trailer-sig') {
      parts.push(
        Buffer.from(
          `x-amz-trailer-signature:${damage === 'trailer-sig' ? flipFirst(trailerSig) : trailerSig}\r\n`,
        ),
      );
    }
    parts.push(Buffer.from('\r\n'));
    return ingest(Readable.from([Buffer.concat(parts)]), {
      auth,
      headers: signed.headers,
      maxBytes: 1 << 20,
    });
  }

  const payload = randomBytes(70_000);
  it('verifies chunk signatures, the trailer signature and the trailer checksum', async () => {
    const got = await signedTrailerUpload(payload);
    expect((await buffer(got.body)).equals(payload)).toBe(true);
    expect(got.result().checksum).toEqual({
      algorithm: 'CRC64NVME',
      value: checksumOf('CRC64NVME', payload),
    });
  });
  it('a changed trailer value breaks the trailer signature → SignatureDoesNotMatch', async () => {
    expect((await streamError((await signedTrailerUpload(payload, 'trailer-value')).body)).code).toBe(
      'SignatureDoesNotMatch',
    );
  });
  it('a wrong or missing trailer signature is refused', async () => {
    expect((await streamError((await signedTrailerUpload(payload, 'trailer-sig')).body)).code).toBe(
      'SignatureDoesNotMatch',
    );
    expect((await streamError((await signedTrailerUpload(payload, 'no-trailer-sig')).body)).code).toBe(
      'InvalidRequest',
    );
  });
  it('ECDSA (SigV4a) streaming is answered NotImplemented', () => {
    const err = thrown(() =>
      authenticate(
        {
          method: 'PUT',
          rawPath: '/b/k',
          rawQuery: '',
          headers: {
            'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
            authorization:
              'AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00',
          },
        },
        { lookup },
      ),
    );
    expect(err.code).toBe('NotImplemented');
  });
});
