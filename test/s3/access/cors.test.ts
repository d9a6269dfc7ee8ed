// CORS on the wire, with the stack's seeded rule: preflights answered without authentication in
// S3's words, actual responses (errors included) carrying the rule's headers exactly, and
// PutBucketCors validated as S3 validates it.
import { GetBucketCorsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessStack, BUCKET, errorCode, serviceError, startAccessStack } from './harness.ts';

const APP_ORIGIN = 'http://localhost:3000';
let stack: AccessStack;
beforeAll(async () => {
  stack = await startAccessStack();
});
afterAll(() => stack[Symbol.asyncDispose]());

const preflight = (path: string, headers: Record<string, string>) =>
  fetch(`${stack.server.url}/${path}`, { method: 'OPTIONS', headers });

describe('preflight', () => {
  it('is answered from the rule, never signature-checked', async () => {
    const r = await preflight(`${BUCKET}/chat/a.png`, {
      origin: APP_ORIGIN,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'Content-Type, X-Amz-Date',
      authorization: 'AWS4-HMAC-SHA256 Credential=garbage',
    });
    expect(r.status).toBe(200);
    expect(
      Object.fromEntries([...r.headers].filter(([k]) => k.startsWith('access-control-') || k === 'vary')),
    ).toEqual({
      'access-control-allow-origin': APP_ORIGIN,
      'access-control-allow-methods': 'GET, HEAD, PUT, POST',
      'access-control-allow-headers': 'content-type, x-amz-date',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'ETag, x-amz-request-id, x-amz-version-id',
      'access-control-max-age': '3000',
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
  });

  it("is refused in S3's words: 400 without Origin, 403 AccessForbidden naming Method and ResourceType", async () => {
    const noOrigin = await preflight(`${BUCKET}/k`, { 'access-control-request-method': 'PUT' });
    expect(noOrigin.status).toBe(400);
    const bad = await noOrigin.text();
    expect(errorCode(bad)).toBe('BadRequest');
    expect(bad).toContain('Insufficient information. Origin request header needed.');

    const denied = await preflight(`${BUCKET}/k`, {
      origin: 'http://evil.test',
      'access-control-request-method': 'DELETE',
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const body = await denied.text();
    expect(errorCode(body)).toBe('AccessForbidden');
    expect(body).toContain('<Method>DELETE</Method><ResourceType>OBJECT</ResourceType>');

    const bucketLevel = await preflight(BUCKET, {
      origin: APP_ORIGIN,
      'access-control-request-method': 'DELETE',
    });
    expect(await bucketLevel.text()).toContain('<ResourceType>BUCKET</ResourceType>');
  });
});

describe('actual cross-origin responses', () => {
  it('carry the rule headers on errors too, and nothing for an origin no rule names', async () => {
    // Anonymous and not public: 403, but the browser can still read why.
    const r = await fetch(`${stack.server.url}/${BUCKET}/chat/secret.png`, {
      headers: { origin: APP_ORIGIN },
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(r.headers.get('access-control-expose-headers')).toBe('ETag, x-amz-request-id, x-amz-version-id');
    expect(errorCode(await r.text())).toBe('AccessDenied');

    const other = await fetch(`${stack.server.url}/${BUCKET}/chat/secret.png`, {
      headers: { origin: 'http://evil.test' },
    });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    await other.arrayBuffer();

    // DELETE is not an allowed method of the rule: no headers for it.
    const del = await fetch(`${stack.server.url}/${BUCKET}/chat/secret.png`, {
      method: 'DELETE',
      headers: { origin: APP_ORIGIN },
    });
    expect(del.headers.get('access-control-allow-origin')).toBeNull();
    await del.arrayBuffer();
  });
});

describe('PutBucketCors', () => {
  it('round-trips the seeded rule and refuses what S3 refuses', async () => {
    const got = await stack.root.send(new GetBucketCorsCommand({ Bucket: BUCKET }));
    expect(got.CORSRules).toEqual([
      {
        ID: 'focusmate-web',
        AllowedHeaders: ['*'],
        AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST'],
        AllowedOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
        ExposeHeaders: ['ETag', 'x-amz-request-id', 'x-amz-version-id'],
        MaxAgeSeconds: 3000,
      },
    ]);
    const put = (rule: Record<string, unknown>) =>
      serviceError(() =>
        stack.root.send(
          new PutBucketCorsCommand({
            Bucket: BUCKET,
            CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], ...rule }] },
          }),
        ),
      );
    const wildcardExpose = await put({ ExposeHeaders: ['x-amz-*'] });
    expect([wildcardExpose.name, wildcardExpose.message]).toEqual([
      'InvalidRequest',
      'ExposeHeader "x-amz-*" contains wildcard. We currently do not support wildcard for ExposeHeader.',
    ]);
    const patch = await put({ AllowedMethods: ['PATCH'] });
    expect([patch.name, patch.message]).toEqual([
      'InvalidRequest',
      'Found unsupported HTTP method in CORS config. Unsupported method is PATCH',
    ]);
    expect((await put({ AllowedOrigins: [] })).name).toBe('MalformedXML');
  });
});
