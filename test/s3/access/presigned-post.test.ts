// Presigned POST end to end on the embedded server: a form built by the AWS SDK's own
// createPresignedPost for the guide's app user (10 MB content-length-range, image/* content
// type), posted as a browser posts it (fetch + FormData), stored through the server's commit
// path and authorized by the policy engine.
import { createHash, randomBytes } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AccessStack, APP, BUCKET, errorCode, OTHER_BUCKET, startAccessStack } from './harness.ts';

const TEN_MB = 10 * 1024 * 1024;
const clock = { skewMs: 0 };
let stack: AccessStack;

beforeAll(async () => {
  stack = await startAccessStack({ server: { now: () => Date.now() + clock.skewMs } });
});
afterAll(() => stack[Symbol.asyncDispose]());
beforeEach(() => {
  clock.skewMs = 0;
});

async function presign(key: string, contentType = 'image/png', expires = 600) {
  return createPresignedPost(stack.app, {
    Bucket: BUCKET,
    Key: key,
    Conditions: [
      ['content-length-range', 0, TEN_MB],
      ['starts-with', '$Content-Type', 'image/'],
    ],
    Fields: { 'Content-Type': contentType },
    Expires: expires,
  });
}

function form(fields: Record<string, string>, bytes: Uint8Array, name = 'avatar.png'): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  fd.append('file', new Blob([bytes], { type: 'application/octet-stream' }), name);
  return fd;
}

const post = (url: string, body: FormData) => fetch(url, { method: 'POST', body });

describe('presigned POST as the app user', () => {
  it('stores the right file with its content type, authorized as the form signer', async () => {
    const key = 'teams/t1/profile/avatar.png';
    const { url, fields } = await presign(key);
    const bytes = randomBytes(300_000);
    const r = await post(url, form(fields, bytes));
    expect(r.status).toBe(204);
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    expect(r.headers.get('etag')).toBe(etag);
    expect(r.headers.get('location')).toBe(`${stack.server.url}/${BUCKET}/teams%2Ft1%2Fprofile%2Favatar.png`);
    const requestId = r.headers.get('x-amz-request-id');
    expect(requestId).toMatch(/^[0-9A-F]{16}$/);

    const stored = await stack.server.getObject(BUCKET, key);
    expect(stored?.body.equals(bytes)).toBe(true);
    expect(stored?.meta).toMatchObject({ contentType: 'image/png', size: bytes.length, etag });

    const entry = stack.server.requests().find((e) => e.id === requestId);
    expect(entry).toMatchObject({ operation: 'PostObject', principal: APP.name, key, status: 204 });
    expect(entry!.decisions).toEqual([
      expect.objectContaining({
        action: 's3:PutObject',
        resource: `arn:aws:s3:::${BUCKET}/${key}`,
        allowed: true,
      }),
    ]);
    expect(stack.server.decisions({ requestId: requestId! })).toEqual([
      expect.objectContaining({ operation: 'PostObject', principal: APP.arn, action: 's3:PutObject' }),
    ]);
    // The stored object is what the profile-image bucket policy serves anonymously.
    const served = await fetch(`${stack.server.url}/${BUCKET}/${key}`);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('refuses a file over content-length-range with EntityTooLarge and stores nothing', async () => {
    const key = 'teams/t1/profile/huge.png';
    const { url, fields } = await presign(key);
    const r = await post(url, form(fields, new Uint8Array(TEN_MB + 1)));
    expect(r.status).toBe(400);
    const body = await r.text();
    expect(errorCode(body)).toBe('EntityTooLarge');
    expect(body).toContain(`<MaxSizeAllowed>${TEN_MB}</MaxSizeAllowed>`);
    expect(stack.server.headObject(BUCKET, key)).toBeUndefined();
  });

  it('refuses a content type outside starts-with image/', async () => {
    const key = 'teams/t1/profile/page.html';
    const { url, fields } = await presign(key, 'text/html');
    const r = await post(url, form(fields, Buffer.from('<script>alert(1)</script>')));
    expect(r.status).toBe(403);
    const body = await r.text();
    expect(errorCode(body)).toBe('AccessDenied');
    expect(body).toContain(
      'Invalid according to Policy: Policy Condition failed: [&quot;starts-with&quot;, &quot;$Content-Type&quot;, &quot;image/&quot;]',
    );
    expect(stack.server.headObject(BUCKET, key)).toBeUndefined();
  });

  it('refuses an expired form', async () => {
    const key = 'teams/t1/profile/late.png';
    const { url, fields } = await presign(key, 'image/png', 60);
    clock.skewMs = 61_000;
    const r = await post(url, form(fields, Buffer.from('late')));
    expect(r.status).toBe(403);
    const body = await r.text();
    expect(errorCode(body)).toBe('AccessDenied');
    expect(body).toContain('Invalid according to Policy: Policy expired.');
    expect(stack.server.headObject(BUCKET, key)).toBeUndefined();
  });

  it('refuses a tampered policy (a larger size allowed) with SignatureDoesNotMatch', async () => {
    const key = 'teams/t1/profile/tampered.png';
    const { url, fields } = await presign(key);
    const doc = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8'));
    doc.conditions = doc.conditions.map((c: unknown) =>
      Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 0, 100 * TEN_MB] : c,
    );
    const tampered = { ...fields, Policy: Buffer.from(JSON.stringify(doc)).toString('base64') };
    const r = await post(url, form(tampered, new Uint8Array(TEN_MB + 1)));
    expect(r.status).toBe(403);
    expect(errorCode(await r.text())).toBe('SignatureDoesNotMatch');
    expect(stack.server.headObject(BUCKET, key)).toBeUndefined();
  });

  it("refuses a valid form for a bucket the signer's policy does not cover", async () => {
    await stack.root.send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }));
    const { url, fields } = await createPresignedPost(stack.app, {
      Bucket: OTHER_BUCKET,
      Key: 'drop.png',
      Fields: { 'Content-Type': 'image/png' },
    });
    const r = await post(url, form(fields, Buffer.from('x')));
    expect(r.status).toBe(403);
    expect(errorCode(await r.text())).toBe('AccessDenied');
    expect(stack.server.headObject(OTHER_BUCKET, 'drop.png')).toBeUndefined();
    const [why] = stack.server.decisions({ requestId: r.headers.get('x-amz-request-id')! });
    expect(why).toMatchObject({ principal: APP.arn, action: 's3:PutObject', allowed: false });
  });

  it('refuses a form whose signing key has been deactivated', async () => {
    const key = 'teams/t1/profile/rotated.png';
    const { url, fields } = await presign(key);
    stack.server.setIdentityActive(APP.accessKeyId, false);
    try {
      const r = await post(url, form(fields, Buffer.from('x')));
      expect(r.status).toBe(403);
      expect(errorCode(await r.text())).toBe('InvalidAccessKeyId');
    } finally {
      stack.server.setIdentityActive(APP.accessKeyId, true);
    }
  });
});

describe('an anonymous form', () => {
  it('to a private key is AccessDenied before any byte is stored', async () => {
    const key = 'verifications/u1/id.pdf';
    const fd = new FormData();
    fd.append('key', key);
    fd.append('Content-Type', 'application/pdf');
    fd.append('file', new Blob([randomBytes(50_000)]), 'id.pdf');
    const r = await post(`${stack.server.url}/${BUCKET}`, fd);
    expect(r.status).toBe(403);
    expect(errorCode(await r.text())).toBe('AccessDenied');
    expect(stack.server.headObject(BUCKET, key)).toBeUndefined();
    const entry = stack.server.requests().find((e) => e.id === r.headers.get('x-amz-request-id'));
    expect(entry).toMatchObject({
      operation: 'PostObject',
      principal: null,
      status: 403,
      errorCode: 'AccessDenied',
    });
    const [decision] = stack.server.decisions({ requestId: entry!.id });
    expect(decision).toMatchObject({ principal: 'anonymous', action: 's3:PutObject', allowed: false });
  });

  it('that is not multipart/form-data is 412 PreconditionFailed', async () => {
    const r = await fetch(`${stack.server.url}/${BUCKET}`, { method: 'POST', body: 'key=x' });
    expect(r.status).toBe(412);
    expect(errorCode(await r.text())).toBe('PreconditionFailed');
  });
});
