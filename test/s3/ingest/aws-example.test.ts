// The worked example of AWS's "Signature Calculations for the Authorization Header: Transferring
// Payload in Multiple Chunks" (S3 API reference): 66560 bytes of 'a' sent as a 65536-byte chunk,
// a 1024-byte chunk and the final empty chunk, with the published seed and chunk signatures.
// Nothing here is computed by our own signer, so a pass means we agree with AWS, not ourselves.
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../../stack/s3/errors.ts';
import type { Identity } from '../../../stack/s3/identity.ts';
import { authenticate, ingest } from '../../../stack/s3/ingest/index.ts';

const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const CHUNK_SIGS = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];
const identity: Identity = {
  name: 'example',
  arn: 'arn:aws:iam::000000000000:user/example',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  root: false,
};
const NOW = Date.UTC(2013, 4, 24, 0, 5, 0);

const headers = {
  host: 's3.amazonaws.com',
  'x-amz-date': '20130524T000000Z',
  'x-amz-storage-class': 'REDUCED_REDUNDANCY',
  authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${SEED}`,
  'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'content-encoding': 'aws-chunked',
  'x-amz-decoded-content-length': '66560',
  'content-length': '66824',
};

function exampleBody(corrupt?: 'data' | 'signature'): Buffer {
  const parts: Buffer[] = [];
  const sizes = [65536, 1024, 0];
  sizes.forEach((size, i) => {
    let sig = CHUNK_SIGS[i];
    if (corrupt === 'signature' && i === 1) sig = sig.replace(/^0/, '1');
    const data = Buffer.alloc(size, 'a');
    if (corrupt === 'data' && i === 1) data[10] = 0x62;
    parts.push(Buffer.from(`${size.toString(16)};chunk-signature=${sig}\r\n`), data, Buffer.from('\r\n'));
  });
  return Buffer.concat(parts);
}

function authenticateExample() {
  return authenticate(
    { method: 'PUT', rawPath: '/examplebucket/chunkObject.txt', rawQuery: '', headers },
    { lookup: (id) => (id === identity.accessKeyId ? identity : undefined), now: () => NOW },
  );
}

/** Feeds `body` in small irregular pieces so chunk boundaries fall everywhere. */
function dribble(body: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0, step = 1; i < body.length; i += step, step = (step * 7 + 3) % 9000) {
    pieces.push(body.subarray(i, i + step));
  }
  return Readable.from(pieces);
}

describe('AWS published streaming PUT example', () => {
  it('is 66824 encoded bytes, as the example Content-Length says', () => {
    expect(exampleBody().length).toBe(66824);
  });

  it('verifies the seed signature from the example request', () => {
    const auth = authenticateExample();
    expect(auth.payload).toBe('streaming-signed');
    expect(auth.seedSignature).toBe(SEED);
    expect(auth.signedRegion).toBe('us-east-1');
  });

  it('decodes the body and verifies each published chunk signature', async () => {
    const auth = authenticateExample();
    const got = ingest(dribble(exampleBody()), { auth, headers, maxBytes: 1 << 20 });
    const bytes = await buffer(got.body);
    expect(bytes.equals(Buffer.alloc(66560, 'a'))).toBe(true);
    expect(got.result().size).toBe(66560);
  });

  it('rejects a chunk whose data was altered', async () => {
    const auth = authenticateExample();
    const got = ingest(Readable.from([exampleBody('data')]), { auth, headers, maxBytes: 1 << 20 });
    const err = await buffer(got.body).catch((e) => e);
    expect(err).toBeInstanceOf(S3Error);
    expect(err.code).toBe('SignatureDoesNotMatch');
  });

  it('rejects an altered chunk signature', async () => {
    const auth = authenticateExample();
    const got = ingest(Readable.from([exampleBody('signature')]), { auth, headers, maxBytes: 1 << 20 });
    const err = await buffer(got.body).catch((e) => e);
    expect(err.code).toBe('SignatureDoesNotMatch');
  });
});
