// The wire protocol around the operations: addressing styles, request ids, error documents,
// regions, NotImplemented subresources, limits.
import { Agent } from 'node:http';
import {
  CreateBucketCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { s3Error } from '../contract/s3-contract.ts';
import { client, ROOT } from './fixtures.ts';
import { send, signedSend } from './raw-request.ts';

let srv: S3Server;
let s3: S3Client;

beforeAll(async () => {
  srv = await startS3Server({ identities: [ROOT], maxObjectSize: 1024 * 1024 });
  s3 = client(srv.url);
  await s3.send(new CreateBucketCommand({ Bucket: 'wire' }));
  await s3.send(
    new CreateBucketCommand({
      Bucket: 'seoul',
      CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-2' },
    }),
  );
});

afterAll(async () => {
  s3?.destroy();
  await srv?.stop();
});

/** Every *.localhost name resolves to loopback, as browsers and systemd-resolved do. */
function loopbackAgent(): Agent {
  return new Agent({
    lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
      if (opts?.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
      else cb(null, '127.0.0.1', 4);
    }) as never,
  });
}

describe('addressing', () => {
  it('serves virtual-hosted-style requests (bucket.localhost and bucket.s3.localhost)', async () => {
    for (const host of ['localhost', 's3.localhost']) {
      const v = new S3Client({
        endpoint: `http://${host}:${srv.port}`,
        region: 'us-east-1',
        forcePathStyle: false,
        credentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
        requestHandler: new NodeHttpHandler({ httpAgent: loopbackAgent() }),
      });
      const key = `vh/${host}/a b.txt`;
      await v.send(new PutObjectCommand({ Bucket: 'wire', Key: key, Body: 'virtual' }));
      const g = await v.send(new GetObjectCommand({ Bucket: 'wire', Key: key }));
      expect(await g.Body!.transformToString()).toBe('virtual');
      const l = await v.send(new ListObjectsV2Command({ Bucket: 'wire', Prefix: `vh/${host}/` }));
      expect(l.Contents?.map((c) => c.Key)).toEqual([key]);
      const e = await s3Error(() => v.send(new GetObjectCommand({ Bucket: 'wire', Key: 'vh/none' })));
      expect(e.name).toBe('NoSuchKey');
      v.destroy();
    }
    const log = srv.requests().filter((r) => r.key?.startsWith('vh/'));
    expect(log.every((r) => r.bucket === 'wire')).toBe(true);
  });
});

describe('responses', () => {
  it('puts request ids on every response, success and error, and no body on HEAD errors', async () => {
    const ok = await signedSend(srv.url, { method: 'GET', path: '/wire?list-type=2', identity: ROOT });
    expect(ok.status).toBe(200);
    expect(ok.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    expect(ok.headers['x-amz-id-2']).toBeTruthy();
    expect(ok.body).toContain('<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    const missing = await signedSend(srv.url, { method: 'GET', path: '/wire/nope', identity: ROOT });
    expect(missing.status).toBe(404);
    expect(missing.headers['x-amz-request-id']).toBeTruthy();
    expect(missing.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>nope<\/Key><Resource>\/wire\/nope<\/Resource><RequestId>[0-9A-F]{16}<\/RequestId><HostId>.+<\/HostId><\/Error>$/,
    );
    expect(missing.body).toContain(`<RequestId>${missing.headers['x-amz-request-id']}</RequestId>`);
    const head = await signedSend(srv.url, { method: 'HEAD', path: '/wire/nope', identity: ROOT });
    expect(head.status).toBe(404);
    expect(head.body).toBe('');
    expect(head.headers['x-amz-request-id']).toBeTruthy();
  });

  it('answers 501 NotImplemented for subresources it does not store, never a silent 200', async () => {
    for (const [method, path] of [
      ['PUT', '/wire?logging'],
      ['GET', '/wire?logging'],
      ['GET', '/wire?website'],
      ['PUT', '/wire?replication'],
      ['GET', '/wire/k?retention'],
      ['POST', '/wire/k?restore'],
    ] as const) {
      const r = await signedSend(srv.url, {
        method,
        path,
        identity: ROOT,
        body: method === 'GET' ? undefined : '',
      });
      expect(r.status, `${method} ${path}`).toBe(501);
      expect(r.body).toContain('<Code>NotImplemented</Code>');
    }
  });

  it('answers 501 for a subresource a plain GET, PUT or DELETE would have taken, and changes nothing', async () => {
    await srv.createBucket('wire-sub');
    await s3.send(new PutObjectCommand({ Bucket: 'wire-sub', Key: 'k', Body: 'original' }));
    for (const [method, path] of [
      ['DELETE', '/wire-sub?metadataConfiguration'],
      ['GET', '/wire-sub?metadataConfiguration'],
      ['GET', '/wire-sub?abac'],
      ['PUT', '/wire-sub?abac'],
      ['PUT', '/wire-sub?metadataJournalTable'],
      ['PUT', '/wire-sub/k?encryption'],
      ['PUT', '/wire-sub/k?renameObject'],
      ['PUT', '/wire-sub/new?renameObject'],
      ['DELETE', '/wire-sub/k?annotation'],
      ['PUT', '/wire-sub/k?uploadId=nope'],
    ] as const) {
      const r = await signedSend(srv.url, {
        method,
        path,
        identity: ROOT,
        body: method === 'PUT' ? '<Configuration/>' : undefined,
      });
      expect(r.status, `${method} ${path}`).toBe(501);
      expect(r.body).toContain('<Code>NotImplemented</Code>');
    }
    // The bucket and the object are as they were; nothing new was made.
    expect(srv.listBuckets().map((b) => b.name)).toContain('wire-sub');
    expect(srv.listObjects('wire-sub').map((o) => o.key)).toEqual(['k']);
    expect((await srv.getObject('wire-sub', 'k'))?.body.toString()).toBe('original');
  });

  it('answers what AWS answers for subresources it never changes', async () => {
    const v = await signedSend(srv.url, { method: 'GET', path: '/wire?versioning', identity: ROOT });
    expect(v.body).toContain(
      '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></VersioningConfiguration>',
    );
    const lc = await signedSend(srv.url, { method: 'GET', path: '/wire?lifecycle', identity: ROOT });
    expect(lc.status).toBe(404);
    expect(lc.body).toContain('<Code>NoSuchLifecycleConfiguration</Code>');
    const acl = await signedSend(srv.url, { method: 'GET', path: '/wire?acl', identity: ROOT });
    expect(acl.body).toContain('<Permission>FULL_CONTROL</Permission>');
    const pubAcl = await s3Error(() =>
      s3.send(new PutObjectCommand({ Bucket: 'wire', Key: 'acl', Body: 'x', ACL: 'public-read' })),
    );
    expect(pubAcl.name).toBe('AccessControlListNotSupported');
  });

  it('answers MethodNotAllowed for methods S3 has no operation for', async () => {
    const r = await signedSend(srv.url, { method: 'PATCH', path: '/wire/k', identity: ROOT, body: '' });
    expect(r.status).toBe(405);
    expect(r.body).toContain('<Code>MethodNotAllowed</Code>');
  });
});

describe('regions', () => {
  it('names the bucket region when a request is signed for another one', async () => {
    const r = await signedSend(srv.url, {
      method: 'GET',
      path: '/seoul?list-type=2',
      identity: ROOT,
      region: 'us-east-1',
    });
    expect(r.status).toBe(400);
    expect(r.headers['x-amz-bucket-region']).toBe('ap-northeast-2');
    expect(r.body).toContain('<Code>AuthorizationHeaderMalformed</Code>');
    expect(r.body).toContain("the region 'us-east-1' is wrong; expecting 'ap-northeast-2'");
    expect(r.body).toContain('<Region>ap-northeast-2</Region>');
    // The SDK signed for the right region works, and HeadBucket reports the region.
    const seoul = client(srv.url, ROOT, 'ap-northeast-2');
    await seoul.send(new PutObjectCommand({ Bucket: 'seoul', Key: 'k', Body: 'v' }));
    const h = await seoul.send(new HeadBucketCommand({ Bucket: 'seoul' }));
    expect(h.BucketRegion).toBe('ap-northeast-2');
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: 'seoul' }));
    expect(loc.LocationConstraint).toBe('ap-northeast-2');
    const usLoc = await s3.send(new GetBucketLocationCommand({ Bucket: 'wire' }));
    expect(usLoc.LocationConstraint ?? '').toBe('');
    seoul.destroy();
  });

  it('refuses a presigned URL signed for the wrong region', async () => {
    const wrong = client(srv.url, ROOT, 'eu-west-1');
    const url = await getSignedUrl(wrong, new GetObjectCommand({ Bucket: 'seoul', Key: 'k' }));
    const r = await fetch(url);
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('<Code>AuthorizationQueryParametersError</Code>');
    wrong.destroy();
  });

  it('applies AWS location-constraint rules on CreateBucket', async () => {
    const explicitUs = await s3Error(() =>
      s3.send(
        new CreateBucketCommand({
          Bucket: 'us-explicit',
          CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as never },
        }),
      ),
    );
    expect(explicitUs.name).toBe('InvalidLocationConstraint');
    const regional = client(srv.url, ROOT, 'eu-west-1');
    // (The SDK adds its region as LocationConstraint itself, so this one is sent by hand.)
    const unspecified = await signedSend(srv.url, {
      method: 'PUT',
      path: '/eu-unspecified',
      identity: ROOT,
      region: 'eu-west-1',
      body: '',
    });
    expect(unspecified.status).toBe(400);
    expect(unspecified.body).toContain('<Code>IllegalLocationConstraintException</Code>');
    await regional.send(
      new CreateBucketCommand({
        Bucket: 'eu-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    const again = await s3Error(() =>
      regional.send(
        new CreateBucketCommand({
          Bucket: 'eu-bucket',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      ),
    );
    expect(again.name).toBe('BucketAlreadyOwnedByYou');
    expect(again.$metadata.httpStatusCode).toBe(409);
    // us-east-1 legacy: re-creating your own bucket answers 200.
    const recreate = await s3.send(new CreateBucketCommand({ Bucket: 'wire' }));
    expect(recreate.$metadata.httpStatusCode).toBe(200);
    regional.destroy();
  });
});

describe('Expect: 100-continue', () => {
  it('answers a doomed upload before its body is sent, and continues a good one', async () => {
    const { signHeaders } = await import('./raw-request.ts');
    const { connect } = await import('node:net');
    const exchange = async (path: string) => {
      const headers = await signHeaders({
        method: 'PUT',
        path,
        host: new URL(srv.url).host,
        identity: ROOT,
        contentSha256: 'UNSIGNED-PAYLOAD',
        headers: { 'content-length': '5', expect: '100-continue' },
      });
      const sock = connect(srv.port, '127.0.0.1');
      let received = '';
      sock.on('data', (d) => {
        received += d.toString();
      });
      sock.write(
        [`PUT ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join(
          '\r\n',
        ),
      );
      const first = await new Promise<string>((resolve) => {
        const check = () => (received.includes('\r\n\r\n') ? resolve(received) : sock.once('data', check));
        sock.once('data', check);
      });
      return { first, sock, all: () => received };
    };
    const doomed = await exchange('/no-such-bucket/k');
    expect(doomed.first).toMatch(/^HTTP\/1.1 404/);
    doomed.sock.destroy();
    const good = await exchange('/wire/continued');
    expect(good.first).toMatch(/^HTTP\/1.1 100 Continue/);
    good.sock.write('hello');
    await srv.waitForObject('wire', 'continued');
    good.sock.destroy();
    expect((await srv.getObject('wire', 'continued'))?.body.toString()).toBe('hello');
  });
});

describe('limits', () => {
  it('refuses keys over 1024 bytes, oversize bodies and uploads without a length', async () => {
    const long = await s3Error(() =>
      s3.send(new PutObjectCommand({ Bucket: 'wire', Key: 'k'.repeat(1025), Body: 'x' })),
    );
    expect(long.name).toBe('KeyTooLongError');
    await s3.send(new PutObjectCommand({ Bucket: 'wire', Key: 'ü'.repeat(512), Body: 'x' }));
    const big = await s3Error(() =>
      s3.send(new PutObjectCommand({ Bucket: 'wire', Key: 'big', Body: Buffer.alloc(1024 * 1024 + 1) })),
    );
    expect(big.name).toBe('EntityTooLarge');
    const noLength = await signedSend(srv.url, {
      method: 'PUT',
      path: '/wire/nolen',
      identity: ROOT,
      contentSha256: 'UNSIGNED-PAYLOAD',
      headers: { 'transfer-encoding': 'chunked' },
    });
    expect(noLength.status).toBe(411);
    expect(noLength.body).toContain('<Code>MissingContentLength</Code>');
  });

  it('answers a header section over 8 KiB as AWS does, with request ids, and keeps serving', async () => {
    for (const size of [9_000, 20_000]) {
      const r = await send(srv.url, {
        method: 'GET',
        path: '/wire',
        headers: { 'x-amz-meta-huge': 'a'.repeat(size) },
      });
      expect(r.status, `${size}`).toBe(400);
      expect(r.body).toContain('<Code>RequestHeaderSectionTooLarge</Code>');
      expect(r.body).toContain('<MaxSizeAllowed>8192</MaxSizeAllowed>');
      expect(r.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
      expect(r.body).toContain(`<RequestId>${r.headers['x-amz-request-id']}</RequestId>`);
      expect(r.headers['x-amz-id-2']).toBeTruthy();
    }
    // Under the limit: an ordinary answer (anonymous: access denied).
    const under = await send(srv.url, {
      method: 'GET',
      path: '/wire',
      headers: { 'x-amz-meta-big': 'a'.repeat(6_000) },
    });
    expect(under.status).toBe(403);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'wire', MaxKeys: 1 }));
    expect(after.$metadata.httpStatusCode).toBe(200);
  });
});
