// ingest() on bodies exactly as @aws-sdk/client-s3 puts them on the wire (captured off a socket):
// aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER with every checksum algorithm, and plain bodies
// with x-amz-checksum-* headers. Then the same bytes corrupted, truncated and mangled.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, checksumOf, ingest } from '../../../stack/s3/ingest/index.ts';
import type { AuthContext, ChecksumAlgorithm } from '../../../stack/s3/ingest/types.ts';
import { type CapturedRequest, type CaptureServer, startCaptureServer } from './capture-server.ts';
import { credentials, lookup, requestInfo, streamError } from './fixtures.ts';

let cap: CaptureServer;
let client: S3Client;
const data = randomBytes(200_000);

beforeAll(async () => {
  cap = await startCaptureServer();
  client = new S3Client({ endpoint: cap.url, region: 'us-east-1', forcePathStyle: true, credentials });
});
afterAll(async () => {
  client?.destroy();
  await cap?.stop();
});

async function put(
  input: Partial<ConstructorParameters<typeof PutObjectCommand>[0]>,
): Promise<CapturedRequest> {
  const before = cap.requests.length;
  await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', ...input }));
  return cap.requests[before];
}

/** A stream body in uneven pieces, as a file or socket would deliver it. */
function pieces(bytes: Buffer): Readable {
  const out: Buffer[] = [];
  for (let i = 0, step = 1000; i < bytes.length; i += step, step = (step * 3 + 7) % 70_000) {
    out.push(bytes.subarray(i, i + step));
  }
  return Readable.from(out);
}

function run(r: CapturedRequest, body: Buffer, maxBytes = 1 << 30, headers = r.headers) {
  const auth: AuthContext = authenticate(requestInfo(r), { lookup });
  return ingest(pieces(body), { auth, headers, maxBytes });
}

describe('SDK stream uploads (aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER)', () => {
  const algorithms: (ChecksumAlgorithm | undefined)[] = [
    undefined,
    'CRC32',
    'CRC32C',
    'CRC64NVME',
    'SHA1',
    'SHA256',
  ];
  for (const algorithm of algorithms) {
    it(`decodes and verifies the ${algorithm ?? 'default (CRC32)'} trailer`, async () => {
      const r = await put({ Body: pieces(data), ContentLength: data.length, ChecksumAlgorithm: algorithm });
      expect(r.headers['content-encoding']).toBe('aws-chunked');
      expect(r.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
      const alg = algorithm ?? 'CRC32';
      expect(r.headers['x-amz-trailer']).toBe(`x-amz-checksum-${alg.toLowerCase()}`);
      const got = run(r, r.body);
      expect((await buffer(got.body)).equals(data)).toBe(true);
      const result = got.result();
      expect(result.size).toBe(data.length);
      expect(result.md5Hex).toBe(createHash('md5').update(data).digest('hex'));
      expect(result.checksum).toEqual({ algorithm: alg, value: checksumOf(alg, data) });
      expect(result.computed[alg]).toBe(checksumOf(alg, data));
    });
  }

  it('computes an extra algorithm on request', async () => {
    const r = await put({ Body: pieces(data), ContentLength: data.length });
    const auth = authenticate(requestInfo(r), { lookup });
    const got = ingest(Readable.from([r.body]), {
      auth,
      headers: r.headers,
      maxBytes: 1 << 30,
      extraAlgorithm: 'CRC64NVME',
    });
    await buffer(got.body);
    expect(got.result().computed).toEqual({
      CRC32: checksumOf('CRC32', data),
      CRC64NVME: checksumOf('CRC64NVME', data),
    });
  });

  describe('damaged bodies', () => {
    let r: CapturedRequest;
    beforeAll(async () => {
      r = await put({ Body: pieces(data), ContentLength: data.length });
    });
    const text = () => r.body.toString('latin1');
    const latin = (s: string) => Buffer.from(s, 'latin1');

    it('one data byte flipped → BadDigest naming the algorithm', async () => {
      const body = Buffer.from(r.body);
      body[body.length - 100] ^= 1;
      const err = await streamError(run(r, body).body);
      expect([err.code, err.message]).toEqual([
        'BadDigest',
        'The CRC32 you specified did not match the calculated checksum.',
      ]);
    });

    it('truncated anywhere → IncompleteBody', async () => {
      for (const cut of [1, 20, 1000, r.body.length - 10]) {
        const err = await streamError(run(r, r.body.subarray(0, cut)).body);
        expect(err.code).toBe('IncompleteBody');
      }
    });

    it('a malformed trailer value → InvalidRequest', async () => {
      const body = latin(text().replace(/x-amz-checksum-crc32:[^\r]+/, 'x-amz-checksum-crc32:not base64!'));
      const err = await streamError(run(r, body).body);
      expect([err.code, err.message]).toEqual([
        'InvalidRequest',
        'Value for x-amz-checksum-crc32 trailing header is invalid.',
      ]);
    });

    it('the announced trailer missing → InvalidRequest', async () => {
      const body = latin(text().replace(/x-amz-checksum-crc32:[^\r]+\r\n/, ''));
      expect((await streamError(run(r, body).body)).code).toBe('InvalidRequest');
    });

    it('a trailer checksum of other bytes → BadDigest', async () => {
      const body = latin(
        text().replace(
          /x-amz-checksum-crc32:[^\r]+/,
          `x-amz-checksum-crc32:${checksumOf('CRC32', Buffer.from('x'))}`,
        ),
      );
      expect((await streamError(run(r, body).body)).code).toBe('BadDigest');
    });

    it('garbage after the final chunk → InvalidRequest', async () => {
      const body = Buffer.concat([r.body, Buffer.from('garbage')]);
      expect((await streamError(run(r, body).body)).code).toBe('InvalidRequest');
    });

    it('a bad hex size → InvalidRequest', async () => {
      const body = latin(text().replace(/^[0-9a-f]+\r\n/, 'zz\r\n'));
      expect((await streamError(run(r, body).body)).code).toBe('InvalidRequest');
    });

    it('a chunk header line over 4 KiB → InvalidRequest, without buffering the rest', async () => {
      const body = Buffer.alloc(8192, '1');
      expect((await streamError(run(r, body).body)).code).toBe('InvalidRequest');
    });

    it('more decoded bytes than x-amz-decoded-content-length → InvalidRequest', async () => {
      const headers = { ...r.headers, 'x-amz-decoded-content-length': String(data.length - 1) };
      expect((await streamError(run(r, r.body, 1 << 30, headers).body)).code).toBe('InvalidRequest');
    });

    it('fewer decoded bytes than x-amz-decoded-content-length → IncompleteBody', async () => {
      const headers = { ...r.headers, 'x-amz-decoded-content-length': String(data.length + 1) };
      const err = await streamError(run(r, r.body, 1 << 30, headers).body);
      expect(err.code).toBe('IncompleteBody');
      expect(err.extra).toEqual({
        NumberBytesExpected: String(data.length + 1),
        NumberBytesProvided: String(data.length),
      });
    });

    it('x-amz-decoded-content-length missing → MissingContentLength', async () => {
      const headers = { ...r.headers };
      delete headers['x-amz-decoded-content-length'];
      expect((await streamError(run(r, r.body, 1 << 30, headers).body)).code).toBe('MissingContentLength');
    });

    it('declared size over the limit → EntityTooLarge before reading', async () => {
      const err = await streamError(run(r, r.body, 1000).body);
      expect(err.code).toBe('EntityTooLarge');
      expect(err.extra).toEqual({ ProposedSize: String(data.length), MaxSizeAllowed: '1000' });
    });
  });
});

describe('SDK buffer uploads (x-amz-checksum-* header, signed payload)', () => {
  let r: CapturedRequest;
  beforeAll(async () => {
    r = await put({ Body: data });
    expect(r.headers['x-amz-checksum-crc32']).toBe(checksumOf('CRC32', data));
  });

  it('verifies payload hash and checksum', async () => {
    const got = run(r, r.body);
    expect((await buffer(got.body)).equals(data)).toBe(true);
    expect(got.result().checksum).toEqual({ algorithm: 'CRC32', value: checksumOf('CRC32', data) });
  });

  it('a changed byte → XAmzContentSHA256Mismatch with both hashes', async () => {
    const body = Buffer.from(r.body);
    body[0] ^= 1;
    const err = await streamError(run(r, body).body);
    expect(err.code).toBe('XAmzContentSHA256Mismatch');
    expect(err.extra).toEqual({
      ClientComputedContentSHA256: r.headers['x-amz-content-sha256'],
      S3ComputedContentSHA256: createHash('sha256').update(body).digest('hex'),
    });
  });

  it('a body ending short of Content-Length → IncompleteBody', async () => {
    expect((await streamError(run(r, r.body.subarray(0, 100)).body)).code).toBe('IncompleteBody');
  });
});
