// authenticate() + ingest() on live IncomingMessages, the way the S3 server uses them: a real
// SDK upload streams through, and a client that sends a truncated body and hangs up gets an
// error while the server keeps serving.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isS3Error } from '../../../stack/s3/errors.ts';
import { authenticate, ingest } from '../../../stack/s3/ingest/index.ts';
import type { IngestResult } from '../../../stack/s3/ingest/types.ts';
import { credentials, lookup } from './fixtures.ts';

interface Outcome {
  result?: IngestResult;
  code?: string;
  digest?: string;
}

let url = '';
const outcomes: Outcome[] = [];
let waiters: (() => void)[] = [];
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const done = (o: Outcome) => {
    outcomes.push(o);
    for (const w of waiters) w();
    waiters = [];
    if (o.code) {
      res.writeHead(400, { 'content-type': 'application/xml', connection: 'close' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${o.code}</Code><Message>x</Message></Error>`,
      );
    } else {
      res.writeHead(200, { etag: `"${o.result?.md5Hex}"` });
      res.end();
    }
  };
  try {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const auth = authenticate(
      {
        method: req.method ?? 'GET',
        rawPath: q < 0 ? target : target.slice(0, q),
        rawQuery: q < 0 ? '' : target.slice(q + 1),
        headers: req.headers,
        rawHeaders: req.rawHeaders,
      },
      { lookup },
    );
    const got = ingest(req, { auth, headers: req.headers, maxBytes: 64 << 20 });
    const hash = createHash('sha256');
    got.body.on('data', (c: Buffer) => hash.update(c));
    got.body.on('end', () => done({ result: got.result(), digest: hash.digest('hex') }));
    got.body.on('error', (err) => done({ code: isS3Error(err) ? err.code : `unexpected ${err}` }));
  } catch (err) {
    done({ code: isS3Error(err) ? err.code : `unexpected ${err}` });
  }
});

function nextOutcome(): Promise<Outcome> {
  const n = outcomes.length;
  return new Promise((resolve) => {
    const check = () => (outcomes.length > n ? resolve(outcomes[n]) : waiters.push(check));
    check();
  });
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('on a live socket', () => {
  it('streams a 5 MiB SDK upload through, verified', async () => {
    const client = new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials });
    const data = randomBytes(5 << 20);
    const parts = Array.from({ length: 80 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
    const out = await client.send(
      new PutObjectCommand({
        Bucket: 'b',
        Key: 'big',
        Body: Readable.from(parts),
        ContentLength: data.length,
      }),
    );
    expect(out.ETag).toBe(`"${createHash('md5').update(data).digest('hex')}"`);
    const o = outcomes[outcomes.length - 1];
    expect(o.digest).toBe(createHash('sha256').update(data).digest('hex'));
    expect(o.result?.checksum?.algorithm).toBe('CRC32');
    client.destroy();
  });

  it('accepts a presigned PUT fetched with plain fetch', async () => {
    const client = new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials });
    const signed = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'b', Key: 'p' }), {
      expiresIn: 60,
    });
    const res = await fetch(signed, { method: 'PUT', body: 'presigned body' });
    expect(res.status).toBe(200);
    expect(outcomes[outcomes.length - 1].result?.size).toBe(14);
    client.destroy();
  });

  it('a truncated aws-chunked body on a closed connection errors IncompleteBody; the server keeps serving', async () => {
    const pending = nextOutcome();
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'PUT /b/k HTTP/1.1\r\nHost: x\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n' +
        'content-encoding: aws-chunked\r\nx-amz-decoded-content-length: 100\r\ntransfer-encoding: chunked\r\n\r\n' +
        '10\r\n64\r\n0123456789\r\n', // HTTP chunk of 16 bytes carrying the start of an aws-chunked body
      () => socket.destroy(),
    );
    expect((await pending).code).toBe('IncompleteBody');
    const client = new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials });
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'after', Body: 'still up' }));
    expect(outcomes[outcomes.length - 1].result?.size).toBe(8);
    client.destroy();
  });
});
