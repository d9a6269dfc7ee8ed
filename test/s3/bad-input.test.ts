// Bad input gets the S3 error AWS gives, and the server keeps serving: malformed XML,
// aws-chunked bodies that are cut off or carry a wrong chunk signature, bogus dates,
// and clients that hang up mid-body.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { client, ROOT } from './fixtures.ts';
import { signedSend, streamingSignedUpload } from './raw-request.ts';

let srv: S3Server;
let s3: S3Client;

beforeAll(async () => {
  srv = await startS3Server({ identities: [ROOT] });
  s3 = client(srv.url);
  await s3.send(new CreateBucketCommand({ Bucket: 'bad' }));
});

afterAll(async () => {
  s3?.destroy();
  await srv?.stop();
});

async function stillServing(): Promise<void> {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: 'bad', MaxKeys: 1 }));
  expect(r.$metadata.httpStatusCode).toBe(200);
}

function md5b64(s: string): string {
  return createHash('md5').update(s).digest('base64');
}

describe('malformed XML bodies', () => {
  const cases: [string, string, string][] = [
    ['POST', '/bad?delete', '<Delete><Object><Key>a</Key></Object>'],
    ['POST', '/bad?delete', '<Delete></Delete>'],
    [
      'POST',
      '/bad?delete',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&e;</Key></Object></Delete>',
    ],
    ['POST', '/bad?delete', `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`],
    ['PUT', '/bad?cors', '<CORSConfiguration><CORSRule></CORSRule></CORSConfiguration>'],
    ['PUT', '/bad?tagging', 'not xml at all'],
    [
      'PUT',
      '/bad?publicAccessBlock',
      '<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>',
    ],
    ['PUT', '/bad-new-bucket', '<CreateBucketConfiguration><LocationConstraint>'],
  ];
  for (const [method, path, body] of cases) {
    it(`${method} ${path} ${body.slice(0, 40)}… → MalformedXML`, async () => {
      const r = await signedSend(srv.url, {
        method,
        path,
        identity: ROOT,
        body,
        headers: { 'content-md5': md5b64(body) },
      });
      expect(r.status).toBe(400);
      expect(r.body).toContain('<Code>MalformedXML</Code>');
      await stillServing();
    });
  }

  it('refuses DeleteObjects without Content-MD5 or a checksum', async () => {
    const body = '<Delete><Object><Key>a</Key></Object></Delete>';
    const r = await signedSend(srv.url, { method: 'POST', path: '/bad?delete', identity: ROOT, body });
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>InvalidRequest</Code>');
    expect(r.body).toContain('Content-MD5');
  });

  it('refuses a wrong Content-MD5 with BadDigest', async () => {
    const r = await signedSend(srv.url, {
      method: 'PUT',
      path: '/bad/md5',
      identity: ROOT,
      body: 'abc',
      headers: { 'content-md5': md5b64('abd') },
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>BadDigest</Code>');
    expect(srv.headObject('bad', 'md5')).toBeUndefined();
  });
});

describe('aws-chunked bodies', () => {
  const payload = Buffer.alloc(200_000, 7);

  it('accepts a correctly signed streaming upload', async () => {
    const { headers, body } = await streamingSignedUpload(srv.url, {
      path: '/bad/chunked-ok',
      identity: ROOT,
      payload,
      chunkSize: 65536,
    });
    const r = await signedRaw(headers, body, '/bad/chunked-ok');
    expect(r.status).toBe(200);
    expect((await srv.getObject('bad', 'chunked-ok'))?.body.equals(payload)).toBe(true);
  });

  it('refuses a wrong chunk signature with SignatureDoesNotMatch and stores nothing', async () => {
    const { headers, body } = await streamingSignedUpload(srv.url, {
      path: '/bad/chunked-bad',
      identity: ROOT,
      payload,
      chunkSize: 65536,
      corruptChunk: 2,
    });
    const r = await signedRaw(headers, body, '/bad/chunked-bad');
    expect(r.status).toBe(403);
    expect(r.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(srv.headObject('bad', 'chunked-bad')).toBeUndefined();
    await stillServing();
  });

  it('stores nothing when the client hangs up mid-body (truncated aws-chunked)', async () => {
    const { headers, body } = await streamingSignedUpload(srv.url, {
      path: '/bad/chunked-cut',
      identity: ROOT,
      payload,
      chunkSize: 65536,
    });
    const done = new Promise<void>((resolve) => {
      const off = srv.on('request', (e) => {
        if (e.key === 'chunked-cut') {
          off();
          resolve();
        }
      });
    });
    const sock = connect(srv.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const head = [
      `PUT /bad/chunked-cut HTTP/1.1`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n');
    sock.write(head);
    sock.write(body.subarray(0, Math.floor(body.length / 2)));
    sock.destroy();
    await done;
    expect(srv.headObject('bad', 'chunked-cut')).toBeUndefined();
    await stillServing();
  });
});

describe('signatures and dates', () => {
  it('refuses a bogus X-Amz-Date and a skewed one', async () => {
    const { send, signHeaders } = await import('./raw-request.ts');
    const headers = await signHeaders({
      method: 'GET',
      path: '/bad',
      host: new URL(srv.url).host,
      identity: ROOT,
    });
    const bogus = await send(srv.url, {
      method: 'GET',
      path: '/bad',
      headers: { ...headers, 'x-amz-date': 'yesterday' },
    });
    expect(bogus.status).toBe(403);
    expect(bogus.body).toMatch(/<Code>(AccessDenied|SignatureDoesNotMatch)<\/Code>/);
    const skewed = await signedSend(srv.url, {
      method: 'GET',
      path: '/bad',
      identity: ROOT,
      date: new Date(Date.now() - 3_600_000),
    });
    expect(skewed.status).toBe(403);
    expect(skewed.body).toContain('<Code>RequestTimeTooSkewed</Code>');
    await stillServing();
  });

  it('refuses unknown keys and wrong secrets', async () => {
    const unknown = await signedSend(srv.url, {
      method: 'GET',
      path: '/bad',
      identity: { ...ROOT, accessKeyId: 'AKIANOBODY' },
    });
    expect(unknown.status).toBe(403);
    expect(unknown.body).toContain('<Code>InvalidAccessKeyId</Code>');
    const wrong = await signedSend(srv.url, {
      method: 'GET',
      path: '/bad',
      identity: { ...ROOT, secretAccessKey: 'wrong' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(wrong.body).toContain('<CanonicalRequest>');
  });

  it('refuses a body whose x-amz-content-sha256 does not match', async () => {
    const r = await signedSend(srv.url, {
      method: 'PUT',
      path: '/bad/sha',
      identity: ROOT,
      body: 'abc',
      contentSha256: createHash('sha256').update('abd').digest('hex'),
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(srv.headObject('bad', 'sha')).toBeUndefined();
  });

  it('denies anonymous requests by default and refuses malformed percent-encoding', async () => {
    const anon = await fetch(`${srv.url}/bad/anything`);
    expect(anon.status).toBe(403);
    expect(await anon.text()).toContain('<Code>AccessDenied</Code>');
    const uri = await fetch(`${srv.url}/bad/%E0%A4%A`);
    expect(uri.status).toBe(400);
    expect(await uri.text()).toContain('<Code>InvalidURI</Code>');
    await s3.send(new PutObjectCommand({ Bucket: 'bad', Key: 'after', Body: 'still fine' }));
  });
});

async function signedRaw(headers: Record<string, string>, body: Buffer, path: string) {
  const { send } = await import('./raw-request.ts');
  return send(srv.url, { method: 'PUT', path, headers, body });
}
