// startS3Server's `domain`: the parent domain of virtual-hosted-style requests. A Host of
// `<bucket>.<domain>` or `<bucket>.s3.<domain>` names the bucket and the whole path is the key;
// any other Host (another domain, the default `localhost` once replaced, the domain itself, a
// name that only ends in the same letters) is path style. No DNS resolves the made-up domain:
// requests go to 127.0.0.1 with the Host header set, and the SDK client's agent resolves every
// name to loopback.
import { Agent } from 'node:http';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { client, ROOT } from './fixtures.ts';
import { signedSend } from './raw-request.ts';

const DOMAIN = 'files.focusmate.test';
const BUCKET = 'vh-bucket';

let srv: S3Server;
let s3: S3Client;

beforeAll(async () => {
  srv = await startS3Server({ identities: [ROOT], domain: DOMAIN });
  s3 = client(srv.url);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await srv?.stop();
});

/** A signed request to 127.0.0.1 carrying `host` as its Host header (signed with it too). */
function at(host: string, method: string, path: string, body?: string) {
  return signedSend(srv.url, { method, path, identity: ROOT, host: `${host}:${srv.port}`, body });
}

/** The bucket and key the server's request log says the last request to `path` addressed. */
function addressed(method: string, path: string) {
  const entry = srv
    .requests()
    .filter((r) => r.method === method && r.path.split('?')[0] === path)
    .at(-1);
  return entry && { bucket: entry.bucket, key: entry.key };
}

describe('virtual-hosted style under a custom domain', () => {
  it('reports the domain on the handle', () => {
    expect(srv.domain).toBe(DOMAIN);
  });

  for (const host of [`${BUCKET}.${DOMAIN}`, `${BUCKET}.s3.${DOMAIN}`]) {
    it(`PUT and GET through Host: ${host}:<port> address the bucket`, async () => {
      const key = `raw/${host}/note.txt`;
      const put = await at(host, 'PUT', `/${key}`, `from ${host}`);
      expect(put.status, put.body).toBe(200);
      expect(addressed('PUT', `/${key}`)).toEqual({ bucket: BUCKET, key });
      const got = await at(host, 'GET', `/${key}`);
      expect(got.status, got.body).toBe(200);
      expect(got.body).toBe(`from ${host}`);
      // The same object, path style: the Host really named the bucket.
      expect((await srv.getObject(BUCKET, key))?.body.toString()).toBe(`from ${host}`);
      const pathStyle = await signedSend(srv.url, {
        method: 'GET',
        path: `/${BUCKET}/${key}`,
        identity: ROOT,
      });
      expect(pathStyle.body).toBe(`from ${host}`);
      // The bucket itself (empty path): a listing of that bucket.
      const list = await at(host, 'GET', '/?list-type=2&prefix=raw%2F');
      expect(list.status, list.body).toBe(200);
      expect(list.body).toContain(`<Name>${BUCKET}</Name>`);
      expect(list.body).toContain(`<Key>${key}</Key>`);
    });
  }

  it('is how an S3 client with the domain as its endpoint reaches the bucket', async () => {
    const agent = new Agent({
      lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
        if (opts?.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
        else cb(null, '127.0.0.1', 4);
      }) as never,
    });
    const v = new S3Client({
      endpoint: `http://${DOMAIN}:${srv.port}`,
      region: 'us-east-1',
      forcePathStyle: false,
      credentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
      requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    });
    const hosts: string[] = [];
    v.middlewareStack.add(
      (next) => async (args) => {
        hosts.push((args.request as { headers: Record<string, string> }).headers.host!);
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'captureHost' },
    );
    try {
      await v.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk/a b.txt', Body: 'via sdk' }));
      const g = await v.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/a b.txt' }));
      expect(await g.Body!.transformToString()).toBe('via sdk');
      expect(hosts.length).toBeGreaterThanOrEqual(2);
      expect(hosts.every((h) => h === `${BUCKET}.${DOMAIN}:${srv.port}`)).toBe(true);
      expect(addressed('PUT', '/sdk/a%20b.txt')).toEqual({ bucket: BUCKET, key: 'sdk/a b.txt' });
    } finally {
      v.destroy();
      agent.destroy();
    }
  });

  for (const [n, what, host] of [
    [1, 'another domain', `${BUCKET}.elsewhere.test`],
    [2, 'the default domain it replaced', `${BUCKET}.localhost`],
    [3, 'a name that only ends in the same letters', `${BUCKET}.x${DOMAIN}`],
  ] as const) {
    it(`does not take the bucket from a Host under ${what}`, async () => {
      const path = `/only-key-${n}`;
      const r = await at(host, 'GET', path);
      // Path style: the first path segment is the bucket, which does not exist.
      expect(r.status, r.body).toBe(404);
      expect(r.body).toContain('<Code>NoSuchBucket</Code>');
      expect(r.body).toContain(`<BucketName>${path.slice(1)}</BucketName>`);
      expect(addressed('GET', path)).toEqual({ bucket: path.slice(1), key: undefined });
      // And nothing was put in the bucket the Host would have named.
      const put = await at(host, 'PUT', `/${BUCKET}/path-style-${n}`, 'p');
      expect(put.status, put.body).toBe(200);
      expect(addressed('PUT', `/${BUCKET}/path-style-${n}`)).toEqual({
        bucket: BUCKET,
        key: `path-style-${n}`,
      });
      expect(srv.headObject(BUCKET, `${BUCKET}/path-style-${n}`)).toBeUndefined();
    });
  }

  it('treats the domain itself (no bucket label) as path style', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'apex.txt', Body: 'apex' }));
    for (const host of [DOMAIN, `s3.${DOMAIN}`]) {
      const r = await at(host, 'GET', `/${BUCKET}/apex.txt`);
      expect(r.status, `${host}: ${r.body}`).toBe(200);
      expect(r.body).toBe('apex');
    }
  });
});
