// What PutObject stores of Content-Encoding and Expires. `aws-chunked` is transport framing
// (the SDK adds it to any stream body it checksums in a trailer): S3 drops that token and keeps
// the rest, so a gzip object stays `gzip` and a plain one has no Content-Encoding at all.
// Expires is stored and answered as the HTTP-date string the client sent.
import { Readable } from 'node:stream';
import { crc32, gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { client, ROOT } from './fixtures.ts';
import { send, signedSend, signHeaders } from './raw-request.ts';

const BUCKET = 'encodings';

let srv: S3Server;
let s3: S3Client;
/** Headers of every request the SDK client put on the wire, as signed. */
const sent: Record<string, string>[] = [];

beforeAll(async () => {
  srv = await startS3Server({ identities: [ROOT] });
  s3 = client(srv.url);
  s3.middlewareStack.add(
    (next) => async (args) => {
      sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureSentHeaders' },
  );
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await srv?.stop();
});

/** A stream body in two pieces: the SDK frames it aws-chunked with a checksum trailer. */
function stream(bytes: Buffer): Readable {
  const mid = Math.floor(bytes.length / 2);
  return Readable.from([bytes.subarray(0, mid), bytes.subarray(mid)]);
}

async function putStream(key: string, body: Buffer, extra: { ContentEncoding?: string } = {}) {
  const before = sent.length;
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: stream(body),
      ContentLength: body.length,
      ...extra,
    }),
  );
  const put = sent.slice(before).find((h) => h['x-amz-decoded-content-length'] !== undefined);
  // Otherwise the test would not be exercising the aws-chunked token at all.
  expect(put?.['content-encoding']?.split(',')).toContain('aws-chunked');
  expect(put?.['x-amz-trailer']).toMatch(/^x-amz-checksum-/);
}

async function readBack(key: string) {
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const body = Buffer.from(await get.Body!.transformToByteArray());
  const rawGet = await signedSend(srv.url, { method: 'GET', path: `/${BUCKET}/${key}`, identity: ROOT });
  const rawHead = await signedSend(srv.url, { method: 'HEAD', path: `/${BUCKET}/${key}`, identity: ROOT });
  return { head, get, body, rawGet, rawHead };
}

describe('Content-Encoding of stream uploads (aws-chunked)', () => {
  const original = Buffer.from('{"focus":"session"}\n'.repeat(500));
  const gz = gzipSync(original);

  it('stores gzip, without aws-chunked, when the SDK sends ContentEncoding gzip', async () => {
    await putStream('gzip.json', gz, { ContentEncoding: 'gzip' });
    const { head, get, body, rawGet, rawHead } = await readBack('gzip.json');
    expect(head.ContentEncoding).toBe('gzip');
    expect(get.ContentEncoding).toBe('gzip');
    expect(rawGet.headers['content-encoding']).toBe('gzip');
    expect(rawHead.headers['content-encoding']).toBe('gzip');
    // The framing was taken off the body too: the stored bytes are the gzip stream itself.
    expect(body.equals(gz)).toBe(true);
    expect(head.ContentLength).toBe(gz.length);
    expect(srv.headObject(BUCKET, 'gzip.json')?.contentEncoding).toBe('gzip');
  });

  it('stores no Content-Encoding for a stream body sent without one', async () => {
    await putStream('plain.json', original);
    const { head, get, body, rawGet, rawHead } = await readBack('plain.json');
    expect(head.ContentEncoding).toBeUndefined();
    expect(get.ContentEncoding).toBeUndefined();
    expect(rawGet.headers['content-encoding']).toBeUndefined();
    expect(rawHead.headers['content-encoding']).toBeUndefined();
    expect(body.equals(original)).toBe(true);
    expect(srv.headObject(BUCKET, 'plain.json')?.contentEncoding).toBeUndefined();
  });

  /**
   * A STREAMING-UNSIGNED-PAYLOAD-TRAILER PUT as SDKs frame it (one data chunk, the final chunk,
   * a CRC32 trailer), signed with the Content-Encoding given.
   */
  async function rawChunkedPut(key: string, contentEncoding: string, payload: Buffer) {
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(payload));
    const body = Buffer.concat([
      Buffer.from(`${payload.length.toString(16)}\r\n`),
      payload,
      Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${crc.toString('base64')}\r\n\r\n`),
    ]);
    const path = `/${BUCKET}/${key}`;
    const headers = await signHeaders({
      method: 'PUT',
      path,
      host: new URL(srv.url).host,
      identity: ROOT,
      contentSha256: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      headers: {
        'content-encoding': contentEncoding,
        'x-amz-decoded-content-length': String(payload.length),
        'x-amz-trailer': 'x-amz-checksum-crc32',
        'content-length': String(body.length),
      },
    });
    return send(srv.url, { method: 'PUT', path, headers, body });
  }

  for (const [encoding, stored] of [
    ['aws-chunked,gzip', 'gzip'],
    ['aws-chunked, gzip', 'gzip'],
    ['aws-chunked', undefined],
  ] as const) {
    it(`stores ${stored ?? 'no Content-Encoding'} for a raw signed PUT with Content-Encoding: ${encoding}`, async () => {
      const key = `raw-${encoding.replace(/\W+/g, '-')}`;
      const r = await rawChunkedPut(key, encoding, gz);
      expect(r.status, r.body).toBe(200);
      const { head, body, rawGet, rawHead } = await readBack(key);
      expect(head.ContentEncoding).toBe(stored);
      expect(rawGet.headers['content-encoding']).toBe(stored);
      expect(rawHead.headers['content-encoding']).toBe(stored);
      expect(body.equals(gz)).toBe(true);
    });
  }
});

describe('Expires', () => {
  it('answers GET and HEAD with the HTTP-date PutObject sent', async () => {
    const expires = new Date('2031-07-09T10:11:12Z');
    const before = sent.length;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'expiring', Body: 'x', Expires: expires }));
    const httpDate = 'Wed, 09 Jul 2031 10:11:12 GMT';
    expect(sent.slice(before).some((h) => h.expires === httpDate)).toBe(true);
    const { head, get, rawGet, rawHead } = await readBack('expiring');
    expect(rawGet.headers.expires).toBe(httpDate);
    expect(rawHead.headers.expires).toBe(httpDate);
    expect(head.ExpiresString).toBe(httpDate);
    expect(get.ExpiresString).toBe(httpDate);
    expect(head.Expires?.getTime()).toBe(expires.getTime());
    expect(get.Expires?.getTime()).toBe(expires.getTime());
  });

  it('sends no Expires for an object stored without one', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lasting', Body: 'x' }));
    const { head, rawGet, rawHead } = await readBack('lasting');
    expect(rawGet.headers.expires).toBeUndefined();
    expect(rawHead.headers.expires).toBeUndefined();
    expect(head.Expires).toBeUndefined();
  });
});
