// A browser upload across origins, as the app's web client does it: a page on one origin PUTs
// to a presigned URL on the S3 endpoint (another origin). Headless Debian Chromium does the CORS
// preflight and enforces the answer, so what fails on S3 fails here the same way.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutBucketCorsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../stack/testing/chromium.ts';
import { type AccessStack, BUCKET, corsConfiguration, startAccessStack } from './harness.ts';

let browser: Browser;
let pageServer: Server;
let pageOrigin: string;
let stack: AccessStack;

beforeAll(async () => {
  pageServer = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>FocusMate upload</title><p>upload page</p>');
  });
  pageServer.listen(0, '127.0.0.1');
  await once(pageServer, 'listening');
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  stack = await startAccessStack({ corsOrigins: [pageOrigin] });
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await stack?.[Symbol.asyncDispose]();
  pageServer.closeAllConnections();
  await new Promise<void>((resolve) => pageServer.close(() => resolve()));
});

type UploadOutcome = { ok: true; status: number; etag: string | null } | { ok: false; error: string };

/** Opens the page on its own origin and runs the upload in it. */
async function uploadFromPage(url: string, body: string): Promise<UploadOutcome> {
  const context = await browser.newContext();
  try {
    const page: Page = await context.newPage();
    await page.goto(`${pageOrigin}/`);
    return await page.evaluate(
      async ({ url, body }) => {
        try {
          const r = await fetch(url, { method: 'PUT', body });
          return { ok: true as const, status: r.status, etag: r.headers.get('ETag') };
        } catch (err) {
          return { ok: false as const, error: String(err) };
        }
      },
      { url, body },
    );
  } finally {
    await context.close();
  }
}

async function presignedPut(key: string): Promise<string> {
  return getSignedUrl(stack.app, new PutObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 300 });
}

async function setCors(rule: { origins: string[]; expose: string[] }): Promise<void> {
  const [seeded] = stack.policies.cors;
  await stack.root.send(
    new PutBucketCorsCommand({
      Bucket: BUCKET,
      CORSConfiguration: corsConfiguration([
        { ...seeded!, allowedOrigins: rule.origins, exposeHeaders: rule.expose },
      ]),
    }),
  );
}

const md5 = (s: string) => `"${createHash('md5').update(s).digest('hex')}"`;

describe('a cross-origin upload from Chromium to a presigned PUT URL', () => {
  it('with the seeded rule (the page origin, ExposeHeaders ETag): succeeds and the page reads ETag', async () => {
    expect(new URL(stack.server.url).origin).not.toBe(pageOrigin);
    const key = 'chat/room1/from-browser.txt';
    const outcome = await uploadFromPage(await presignedPut(key), 'uploaded by the page');
    expect(outcome).toEqual({ ok: true, status: 200, etag: md5('uploaded by the page') });
    expect((await stack.server.getObject(BUCKET, key))?.body.toString()).toBe('uploaded by the page');
    const preflight = stack.server.requests().find((r) => r.operation === 'PreflightCors' && r.key === key);
    expect(preflight).toMatchObject({ method: 'OPTIONS', status: 200 });
  });

  it('with a rule lacking ExposeHeaders: the upload succeeds but ETag reads null, as on S3', async () => {
    await setCors({ origins: [pageOrigin], expose: [] });
    const key = 'chat/room1/no-etag.txt';
    const outcome = await uploadFromPage(await presignedPut(key), 'etag hidden');
    expect(outcome).toEqual({ ok: true, status: 200, etag: null });
    expect((await stack.server.getObject(BUCKET, key))?.body.toString()).toBe('etag hidden');
  });

  it('with no rule for the page origin: the preflight is refused and fetch rejects before any upload', async () => {
    await setCors({ origins: ['http://localhost:3000'], expose: ['ETag'] });
    const key = 'chat/room1/blocked.txt';
    const outcome = await uploadFromPage(await presignedPut(key), 'never sent');
    expect(outcome.ok).toBe(false);
    expect((outcome as { error: string }).error).toMatch(/TypeError: Failed to fetch/);
    expect(stack.server.headObject(BUCKET, key)).toBeUndefined();
    const seen = stack.server.requests().filter((r) => r.key === key);
    expect(seen.map((r) => [r.operation, r.status, r.errorCode])).toEqual([
      ['PreflightCors', 403, 'AccessForbidden'],
    ]);
  });
});
