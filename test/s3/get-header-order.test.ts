// GetObject/HeadObject write their headers in one res.writeHead when nothing set a header
// before, and one res.setHeader each otherwise (an Origin header makes the dispatcher set CORS
// headers first). Both ways must put the same headers, values and order on the wire.
import { request } from 'node:http';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it, vi } from 'vitest';
import { startS3Server } from '../../stack/s3/server.ts';
import { client, ROOT } from './fixtures.ts';

interface Answer {
  status: string;
  headers: [string, string][];
  body: string;
}

function fetchRaw(url: string, method: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => {
        const pairs: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        resolve({ status: `${res.statusCode} ${res.statusMessage}`, headers: pairs, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// Per-request values, and what CORS handling adds, aside.
function comparable(a: Answer): Answer {
  return {
    ...a,
    headers: a.headers.map(([k, v]) =>
      /^(x-amz-request-id|x-amz-id-2|date)$/i.test(k) ? [k, '*'] : [k, v],
    ) as [string, string][],
    body: a.body.replace(/<(RequestId|HostId)>[^<]*</g, '<$1>*<'),
  };
}

describe('GetObject headers: one writeHead or one setHeader each', () => {
  it('the same headers in the same order', async () => {
    await using srv = await startS3Server({ identities: [ROOT] });
    const s3 = client(srv.url);
    await srv.createBucket('order');
    await srv.createBucket('versioned');
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    for (const bucket of ['order', 'versioned']) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'k',
          Body: 'hello world',
          ContentType: 'text/plain',
          CacheControl: 'no-cache',
          Metadata: { team: 'a' },
          Tagging: 't=1',
        }),
      );
    }
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'order', Key: 'mp' }));
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: 'order',
        Key: 'mp',
        UploadId: up.UploadId,
        PartNumber: 1,
        Body: 'part one',
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'order',
        Key: 'mp',
        UploadId: up.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: 'order', Key: 'k' }))).ETag!;

    const cases: { name: string; url: string; method?: string; headers?: Record<string, string> }[] = [
      { name: 'plain', url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'order', Key: 'k' })) },
      {
        name: 'head',
        method: 'HEAD',
        url: await getSignedUrl(s3, new HeadObjectCommand({ Bucket: 'order', Key: 'k' })),
      },
      {
        name: 'versioned',
        url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'versioned', Key: 'k' })),
      },
      {
        name: 'overrides (one replacing, one new)',
        url: await getSignedUrl(
          s3,
          new GetObjectCommand({
            Bucket: 'order',
            Key: 'k',
            ResponseContentType: 'application/x-test',
            ResponseCacheControl: 'max-age=5',
            ResponseContentDisposition: 'attachment',
          }),
        ),
      },
      {
        name: 'range',
        url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'order', Key: 'k' })),
        headers: { Range: 'bytes=2-6' },
      },
      {
        name: 'part of a multipart object',
        url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'order', Key: 'mp', PartNumber: 1 })),
      },
      {
        name: 'not modified',
        url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'order', Key: 'k' })),
        headers: { 'If-None-Match': etag },
      },
      {
        name: 'missing key',
        url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'order', Key: 'nope' })),
      },
      {
        name: 'override with a character no header may carry',
        url: `${await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'order', Key: 'k', ResponseContentType: 'a\nb' }))}`,
      },
    ];
    // The refused override is an InternalError both ways, reported to the console.
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const c of cases) {
      const direct = await fetchRaw(c.url, c.method ?? 'GET', c.headers ?? {});
      const viaCors = await fetchRaw(c.url, c.method ?? 'GET', {
        ...c.headers,
        Origin: 'http://example.test',
      });
      expect(comparable(viaCors), c.name).toEqual(comparable(direct));
    }
    expect(reported.mock.calls.map((c) => (c[1] as NodeJS.ErrnoException).code)).toEqual([
      'ERR_INVALID_CHAR',
      'ERR_INVALID_CHAR',
    ]);
    reported.mockRestore();
    const plain = await fetchRaw(cases[0]!.url, 'GET', {});
    expect(plain.headers.map(([k]) => k).slice(0, 8)).toEqual([
      'x-amz-request-id',
      'x-amz-id-2',
      'Server',
      'ETag',
      'Last-Modified',
      'Content-Type',
      'Accept-Ranges',
      'Cache-Control',
    ]);
    s3.destroy();
  });
});
