// The console's HTTP surface without a browser: what it serves hostile bytes as, who it answers,
// the request log's filters, public readability, and a bounded stop with open event streams.
import { request } from 'node:http';
import { ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicReadability } from '../../stack/console/public-read.ts';
import type { ConsoleRequest } from '../../stack/console/request-log.ts';
import { startConsoleServer } from '../../stack/console/server.ts';
import { loadStackPolicies } from '../../stack/policies/load-stack-policies.ts';
import { APP_USER, BUCKET, type ComposedStack, composeStack } from './compose.ts';

let stack: ComposedStack;
let base: string;

async function requests(query = ''): Promise<ConsoleRequest[]> {
  const body = (await (await fetch(`${base}/api/stack/requests${query}`)).json()) as {
    requests: ConsoleRequest[];
  };
  return body.requests;
}

async function json(res: Response): Promise<{ error: { code: string }; features: unknown }> {
  return (await res.json()) as { error: { code: string }; features: unknown };
}

function raw(path: string, headers: Record<string, string>, method = 'GET') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  stack = await composeStack();
  base = stack.console.url;
  const root = stack.client();
  const put = (Key: string, Body: string | Buffer, ContentType: string) =>
    root.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ContentType }));
  await put('hostile/page.html', '<script>alert(1)</script><h1>hi</h1>', 'text/html');
  await put(
    'hostile/image.svg',
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    'image/svg+xml',
  );
  await put('hostile/photo.png', Buffer.from('89504e470d0a1a0a', 'hex'), 'image/png');
  await put('hostile/blob.bin', Buffer.from([0, 1, 2]), 'application/x-custom');
  root.destroy();
});

afterAll(() => stack?.stop());

describe('console: what it serves', () => {
  it('serves its pages with a strict CSP and its files with their types', async () => {
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    expect((await fetch(`${base}/app.js`)).headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    );
    expect((await fetch(`${base}/style.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/../server.ts`)).status).toBe(404);
  });

  it.each([
    ['hostile/page.html', 'text/plain; charset=utf-8'],
    ['hostile/image.svg', 'text/plain; charset=utf-8'],
    ['hostile/photo.png', 'image/png'],
  ])('previews %s as %s in a sandbox', async (key, type) => {
    const res = await fetch(`${base}/api/stack/buckets/${BUCKET}/preview?key=${encodeURIComponent(key)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('has no preview for other binary types, and downloads active types as bytes', async () => {
    const none = await fetch(`${base}/api/stack/buckets/${BUCKET}/preview?key=hostile/blob.bin`);
    expect(none.status).toBe(415);
    const dl = await fetch(`${base}/api/stack/buckets/${BUCKET}/download?key=hostile/page.html`);
    expect(dl.headers.get('content-type')).toBe('application/octet-stream');
    expect(dl.headers.get('content-disposition')).toBe(
      `attachment; filename="page.html"; filename*=UTF-8''page.html`,
    );
    expect(dl.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect(await dl.text()).toBe('<script>alert(1)</script><h1>hi</h1>');
  });

  it('serves email HTML sandboxed, blocks remote images until asked, and inlines cid: images', async () => {
    const pixel = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==',
      'base64',
    );
    await stack.transport().sendMail({
      from: 'a@example.com',
      to: 'b+api@example.com',
      subject: 'cid test',
      html: '<img src="cid:logo@focusmate"><img src="https://tracker.example/p.gif">',
      attachments: [
        { filename: 'logo.png', content: pixel, cid: 'logo@focusmate', contentType: 'image/png' },
      ],
    });
    const [m] = await stack.mail.waitFor({ subject: 'cid test' });
    const blocked = await fetch(`${base}/api/stack/mail/${m!.id}/html`);
    const csp = blocked.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/^sandbox; default-src 'none'/);
    expect(csp).toContain('img-src data:;');
    expect(csp).not.toContain('script-src');
    const html = await blocked.text();
    expect(html).toContain(`src="data:image/png;base64,${pixel.toString('base64')}"`);
    expect(html).not.toContain('cid:logo@focusmate');
    const remote = await fetch(`${base}/api/stack/mail/${m!.id}/html?remote=1`);
    expect(remote.headers.get('content-security-policy')).toContain('img-src data: http: https:;');
    expect((await fetch(`${base}/api/stack/mail/nope/html`)).status).toBe(404);
  });

  it('answers S3 errors in S3 terms', async () => {
    const res = await fetch(`${base}/api/stack/buckets/no-such-bucket/objects`);
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ error: { code: 'NOT_FOUND', s3Code: 'NoSuchBucket' } });
  });

  it('stores a multipart form upload as root', async () => {
    const form = new FormData();
    form.append('file', new Blob(['form bytes'], { type: 'text/plain' }), '메모.txt');
    const res = await fetch(`${base}/api/stack/buckets/${BUCKET}/upload?prefix=forms/`, {
      method: 'POST',
      body: form,
    });
    expect(res.status).toBe(201);
    const stored = await stack.s3.getObject(BUCKET, 'forms/메모.txt');
    expect(stored?.body.toString()).toBe('form bytes');
    expect(stored?.meta.contentType).toBe('text/plain');
  });
});

describe('console: who it answers', () => {
  it('refuses host names that are not loopback names (DNS rebinding)', async () => {
    const port = new URL(base).port;
    expect((await raw('/api/stack/overview', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await raw('/api/v1/messages', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await raw('/api/stack/overview', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('refuses cross-site writes, to its own API and to the mail API', async () => {
    await stack
      .transport()
      .sendMail({ from: 'a@example.com', to: 'keep@example.com', subject: 'keep me', text: 'x' });
    await stack.mail.waitFor({ subject: 'keep me' });
    const del = await raw('/api/v1/messages', { 'sec-fetch-site': 'cross-site' }, 'DELETE');
    expect(del.status).toBe(403);
    expect(stack.mail.messages({ subject: 'keep me' })).toHaveLength(1);
    const post = await raw(`/api/stack/buckets/${BUCKET}/upload`, { origin: 'http://evil.example' }, 'POST');
    expect(post.status).toBe(403);
    expect(JSON.parse(post.body).error.code).toBe('FORBIDDEN');
  });
});

describe('console: request log', () => {
  it('joins each denied request with its decision and hides its own reads unless asked', async () => {
    const app = stack.client(APP_USER);
    await app.send(new ListBucketsCommand({})).catch(() => undefined);
    app.destroy();
    await fetch(`${base}/api/stack/buckets`);

    // The S3 server logs a request when its response closes, which may trail the client's answer.
    await expect.poll(async () => (await requests('?denied=1')).length).toBeGreaterThan(0);
    const denied = await requests('?denied=1');
    expect(denied.every((r) => r.denied)).toBe(true);
    expect(denied[0]).toMatchObject({
      principal: 'focusmate-s3-user',
      operation: 'ListBuckets',
      status: 403,
      errorCode: 'AccessDenied',
      decisions: [
        {
          action: 's3:ListAllMyBuckets',
          allowed: false,
          reason:
            "Denied: no statement in identity policy 'focusmate-app-policy' allows s3:ListAllMyBuckets on *",
          decidedBy: { policy: 'default' },
        },
      ],
    });

    await expect
      .poll(async () =>
        (await requests('?console=1')).some((r) => r.console && r.operation === 'ListBuckets'),
      )
      .toBe(true);
    const visible = await requests();
    expect(visible.some((r) => r.console)).toBe(false);
    expect((await fetch(`${base}/api/stack/requests?denied=maybe`)).status).toBe(400);
  });
});

describe('console: public readability', () => {
  it('names the granting statement, and Block Public Access overriding it', async () => {
    const p = await loadStackPolicies({ bucket: BUCKET });
    const key = 'teams/t1/profile/a.png';
    expect(
      publicReadability(
        { bucket: BUCKET, policy: p.bucketPolicy, publicAccessBlock: p.publicAccessBlock },
        key,
      ),
    ).toEqual({
      public: true,
      statement: 'PublicReadTeamProfileImages',
      reason: "Allowed by bucket policy statement 'PublicReadTeamProfileImages'",
    });
    const restricted = publicReadability(
      {
        bucket: BUCKET,
        policy: p.bucketPolicy,
        publicAccessBlock: { ...p.publicAccessBlock, RestrictPublicBuckets: true },
      },
      key,
    );
    expect(restricted.public).toBe(false);
    expect(restricted.reason).toContain('RestrictPublicBuckets');
    expect(publicReadability({ bucket: BUCKET }, key)).toMatchObject({ public: false });
  });
});

describe('console: lifecycle', () => {
  it('stops promptly and idempotently with event streams open', async () => {
    const own = await startConsoleServer({
      mailApi: stack.mail.api,
      s3Server: stack.s3,
      stopTimeoutMs: 10_000,
    });
    const streams = await Promise.all([
      fetch(`${own.url}/api/stack/events`),
      fetch(`${own.url}/api/v1/events`),
    ]);
    const ended = streams.map(async (res) => {
      const reader = res.body!.getReader();
      while (!(await reader.read()).done) {
        // drain until the server ends the stream
      }
    });
    const first = own.stop();
    expect(own.stop()).toBe(first);
    await Promise.all([first, ...ended]);
    await expect(fetch(`${own.url}/`)).rejects.toThrow();
  });

  it('says what is missing when started without S3', async () => {
    await using bare = await startConsoleServer();
    const res = await fetch(`${bare.url}/api/stack/buckets`);
    expect(res.status).toBe(501);
    expect((await json(res)).error.code).toBe('NOT_CONFIGURED');
    expect((await json(await fetch(`${bare.url}/api/stack/overview`))).features).toEqual({
      mail: false,
      storage: false,
      requests: false,
    });
  });
});
