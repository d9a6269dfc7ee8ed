// The in-process handle: inspection, events, waitForObject, the request log, the authorize
// hook (action, resource and condition keys of every operation), CORS, and stop().
import { request } from 'node:http';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../stack/s3/authz/types.ts';
import { startS3Server } from '../../stack/s3/server.ts';
import { s3Error } from '../contract/s3-contract.ts';
import { client, ROOT, USER } from './fixtures.ts';

describe('inspection and events', () => {
  it('lists, reads and waits for objects without HTTP', async () => {
    await using srv = await startS3Server({ identities: [ROOT] });
    const s3 = client(srv.url);
    await srv.createBucket('inspect');
    const created: string[] = [];
    const removed: string[] = [];
    srv.on('object-created', (e) => created.push(`${e.bucket}/${e.key}`));
    srv.on('object-removed', (e) => removed.push(`${e.bucket}/${e.key}`));
    const waiting = srv.waitForObject('inspect', 'later.txt', { timeout: 5000 });
    await s3.send(
      new PutObjectCommand({
        Bucket: 'inspect',
        Key: 'later.txt',
        Body: 'arrived',
        ContentType: 'text/plain',
        Metadata: { a: 'b' },
      }),
    );
    const info = await waiting;
    expect(info).toMatchObject({
      key: 'later.txt',
      size: 7,
      contentType: 'text/plain',
      metadata: { a: 'b' },
    });
    expect(info.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await srv.waitForObject('inspect', 'later.txt')).toMatchObject({ size: 7 });
    expect((await srv.getObject('inspect', 'later.txt'))?.body.toString()).toBe('arrived');
    expect(srv.headObject('inspect', 'nope')).toBeUndefined();
    expect(await srv.getObject('inspect', 'nope')).toBeUndefined();
    expect(srv.listObjects('inspect').map((o) => o.key)).toEqual(['later.txt']);
    expect(srv.listBuckets().map((b) => b.name)).toEqual(['inspect']);
    await s3.send(
      new DeleteObjectsCommand({ Bucket: 'inspect', Delete: { Objects: [{ Key: 'later.txt' }] } }),
    );
    expect(created).toEqual(['inspect/later.txt']);
    expect(removed).toEqual(['inspect/later.txt']);
    await expect(srv.waitForObject('inspect', 'never', { timeout: 50 })).rejects.toThrow(
      /did not appear within 50 ms/,
    );
    const ac = new AbortController();
    const aborted = srv.waitForObject('inspect', 'never', { signal: ac.signal });
    ac.abort(new Error('stop waiting'));
    await expect(aborted).rejects.toThrow('stop waiting');
    const log = srv.requests();
    expect(log.map((r) => r.operation)).toEqual(['PutObject', 'DeleteObjects']);
    expect(log[0]).toMatchObject({ principal: 'root', bucket: 'inspect', key: 'later.txt', status: 200 });
    expect(log[0]!.decisions[0]).toMatchObject({
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::inspect/later.txt',
      allowed: true,
    });
    s3.destroy();
  });
});

describe('authorization hook', () => {
  it('asks for the action and resource AWS maps each operation to', async () => {
    const asked: AccessRequest[] = [];
    const denyKeys = new Set(['deny/me']);
    await using srv = await startS3Server({
      identities: [ROOT, USER],
      authorize: (r) => {
        asked.push(r);
        if (!r.principal) return { allowed: false, reason: 'anonymous' };
        if (r.principal.root) return { allowed: true, reason: 'root', decidedBy: { policy: 'root' } };
        if (r.action === 's3:ListAllMyBuckets' || r.action === 's3:ListBucket')
          return { allowed: false, reason: 'no statement allows this' };
        if (r.key && denyKeys.has(r.key)) return { allowed: false, reason: 'explicit deny' };
        return { allowed: true, reason: 'user policy' };
      },
    });
    const root = client(srv.url);
    const user = client(srv.url, USER);
    await root.send(new CreateBucketCommand({ Bucket: 'authz' }));
    await root.send(new PutObjectCommand({ Bucket: 'authz', Key: 'src', Body: 'x', Tagging: 'team=a' }));
    asked.length = 0;

    await user.send(new CopyObjectCommand({ Bucket: 'authz', Key: 'dst', CopySource: 'authz/src' }));
    expect(asked.map((a) => [a.operation, a.action, a.resource])).toEqual([
      ['CopyObject', 's3:GetObject', 'arn:aws:s3:::authz/src'],
      ['CopyObject', 's3:PutObject', 'arn:aws:s3:::authz/dst'],
    ]);
    expect(asked[0]!.context['s3:ExistingObjectTag/team']).toBe('a');

    asked.length = 0;
    const denied = await s3Error(() => user.send(new ListBucketsCommand({})));
    expect(denied.name).toBe('AccessDenied');
    expect(asked[0]).toMatchObject({ action: 's3:ListAllMyBuckets', resource: '*' });

    asked.length = 0;
    await s3Error(() =>
      user.send(new ListObjectsV2Command({ Bucket: 'authz', Prefix: 'p/', Delimiter: '/', MaxKeys: 5 })),
    );
    expect(asked[0]).toMatchObject({
      operation: 'ListObjectsV2',
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::authz',
    });
    expect(asked[0]!.context).toMatchObject({
      's3:prefix': 'p/',
      's3:delimiter': '/',
      's3:max-keys': '5',
      'aws:username': USER.name,
      'aws:PrincipalArn': USER.arn,
      'aws:SecureTransport': 'false',
      'aws:SourceIp': '127.0.0.1',
    });

    // Without s3:ListBucket a missing key is 403, not 404 (as on AWS).
    const hidden = await s3Error(() => user.send(new GetObjectCommand({ Bucket: 'authz', Key: 'absent' })));
    expect(hidden.$metadata.httpStatusCode).toBe(403);
    const visible = await s3Error(() => root.send(new GetObjectCommand({ Bucket: 'authz', Key: 'absent' })));
    expect(visible.$metadata.httpStatusCode).toBe(404);

    asked.length = 0;
    await user.send(new HeadObjectCommand({ Bucket: 'authz', Key: 'src' }));
    expect(asked[0]).toMatchObject({ operation: 'HeadObject', action: 's3:GetObject' });

    await root.send(new PutObjectCommand({ Bucket: 'authz', Key: 'deny/me', Body: 'x' }));
    const del = await user.send(
      new DeleteObjectsCommand({
        Bucket: 'authz',
        Delete: { Objects: [{ Key: 'dst' }, { Key: 'deny/me' }] },
      }),
    );
    expect(del.Deleted?.map((d) => d.Key)).toEqual(['dst']);
    expect(del.Errors).toEqual([{ Key: 'deny/me', Code: 'AccessDenied', Message: 'Access Denied' }]);
    expect(srv.headObject('authz', 'deny/me')).toBeDefined();

    asked.length = 0;
    await user.send(
      new PutObjectCommand({
        Bucket: 'authz',
        Key: 'tagged',
        Body: 'x',
        Tagging: 'kind=doc',
        ServerSideEncryption: 'AES256',
      }),
    );
    expect(asked[0]!.context).toMatchObject({
      's3:RequestObjectTag/kind': 'doc',
      's3:x-amz-server-side-encryption': 'AES256',
    });
    expect(asked[0]!.context['s3:x-amz-content-sha256']).toBeTruthy();

    const anon = await fetch(`${srv.url}/authz/src`);
    expect(anon.status).toBe(403);
    const entry = srv.requests().at(-1)!;
    expect(entry).toMatchObject({
      principal: null,
      operation: 'GetObject',
      status: 403,
      errorCode: 'AccessDenied',
    });
    expect(entry.decisions[0]).toMatchObject({ allowed: false, reason: 'anonymous' });
    root.destroy();
    user.destroy();
  });

  it('refuses a public bucket policy while BlockPublicPolicy is on', async () => {
    await using srv = await startS3Server({ identities: [ROOT] });
    const s3 = client(srv.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'pub' }));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::pub/*' },
      ],
    });
    const e = await s3Error(() => s3.send(new PutBucketPolicyCommand({ Bucket: 'pub', Policy: policy })));
    expect(e.name).toBe('AccessDenied');
    expect(e.message).toContain('BlockPublicPolicy');
    const bad = await s3Error(() =>
      s3.send(new PutBucketPolicyCommand({ Bucket: 'pub', Policy: 'not json' })),
    );
    expect(bad.name).toBe('MalformedPolicy');
    s3.destroy();
  });
});

describe('CORS', () => {
  it('answers preflights from the bucket rules and adds headers to actual responses', async () => {
    await using srv = await startS3Server({ identities: [ROOT] });
    const s3 = client(srv.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'cors' }));
    const preflight = (origin: string, method: string, headers?: string) =>
      fetch(`${srv.url}/cors/upload.png`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': method,
          ...(headers ? { 'access-control-request-headers': headers } : {}),
        },
      });
    const none = await preflight('http://app.test', 'PUT');
    expect(none.status).toBe(403);
    expect(await none.text()).toContain('CORS is not enabled for this bucket');
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: 'cors',
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: ['http://*.focusmate.test'],
              AllowedMethods: ['PUT', 'GET'],
              AllowedHeaders: ['content-type', 'x-amz-*'],
              ExposeHeaders: ['ETag'],
              MaxAgeSeconds: 600,
            },
          ],
        },
      }),
    );
    const ok = await preflight('http://app.focusmate.test', 'PUT', 'Content-Type, X-Amz-Date');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://app.focusmate.test');
    expect(ok.headers.get('access-control-allow-methods')).toBe('PUT, GET');
    expect(ok.headers.get('access-control-allow-headers')).toBe('content-type, x-amz-date');
    expect(ok.headers.get('access-control-expose-headers')).toBe('ETag');
    expect(ok.headers.get('access-control-max-age')).toBe('600');
    for (const [origin, method, headers] of [
      ['http://evil.test', 'PUT', undefined],
      ['http://app.focusmate.test', 'DELETE', undefined],
      ['http://app.focusmate.test', 'PUT', 'authorization-extra'],
    ] as const) {
      const r = await preflight(origin, method, headers);
      expect(r.status).toBe(403);
      expect(await r.text()).toContain('This CORS request is not allowed');
    }
    await s3.send(new PutObjectCommand({ Bucket: 'cors', Key: 'k', Body: 'x' }));
    const actual = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const u = new URL(srv.url);
      request(
        { host: u.hostname, port: u.port, path: '/cors/k', headers: { origin: 'http://app.focusmate.test' } },
        (res) => {
          res.resume();
          resolve(res.headers);
        },
      )
        .on('error', reject)
        .end();
    });
    // Even on the (anonymous, denied) actual request the CORS headers are present.
    expect(actual['access-control-allow-origin']).toBe('http://app.focusmate.test');
    expect(actual['access-control-expose-headers']).toBe('ETag');
    s3.destroy();
  });
});

describe('stop()', () => {
  it('is idempotent, refuses new connections and lets an in-flight request finish', async () => {
    const srv = await startS3Server({ identities: [ROOT] });
    const s3 = client(srv.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'stop' }));
    await s3.send(new PutObjectCommand({ Bucket: 'stop', Key: 'k', Body: Buffer.alloc(1024 * 1024, 1) }));
    const g = await s3.send(new GetObjectCommand({ Bucket: 'stop', Key: 'k' }));
    const stopping = srv.stop();
    expect(srv.stop()).toBe(stopping);
    const body = await g.Body!.transformToByteArray();
    expect(body.length).toBe(1024 * 1024);
    await stopping;
    await expect(fetch(`${srv.url}/stop/k`)).rejects.toThrow();
    await srv[Symbol.asyncDispose]();
    s3.destroy();
  });
});
