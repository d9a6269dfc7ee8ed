// The Storage and Requests pages in a real browser: an object stored during the test appears
// live and downloads byte for byte; upload and delete as root; a denied request explains itself.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { launchBrowser } from './browser.ts';
import { APP_USER, BUCKET, type ComposedStack, composeStack } from './compose.ts';

let stack: ComposedStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([composeStack(), launchBrowser()]);
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => void d.accept());
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('console: storage', () => {
  it('lists an object the app stores during the test, with its access, and downloads the same bytes', async () => {
    const prefix = 'chat/room-7/';
    await page.goto(`${stack.console.url}/#/storage/${BUCKET}?prefix=${encodeURIComponent(prefix)}`);
    await page.waitForSelector('.objects-pane .empty');

    const bytes = randomBytes(64 * 1024 + 7);
    const app = stack.client(APP_USER);
    await app.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${prefix}첨부파일.bin`,
        Body: bytes,
        ContentType: 'application/octet-stream',
        Metadata: { 'uploaded-by': 'user-1024' },
        Tagging: 'kind=chat',
      }),
    );
    app.destroy();

    const row = page.locator('tr.object', { hasText: '첨부파일.bin' });
    await row.waitFor();
    expect(await row.locator('.pill').textContent()).toBe('private');
    await row.click();
    await page.locator('.access.private').waitFor();
    const detail = page.locator('.object-detail');
    expect(await detail.textContent()).toContain('x-amz-meta-uploaded-by');
    expect(await detail.textContent()).toContain('user-1024');
    expect(await detail.locator('table.kv', { hasText: 'kind' }).textContent()).toContain('chat');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      detail.locator('.actions a.button', { hasText: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('첨부파일.bin');
    expect(await readFile(await download.path())).toEqual(bytes);
  });

  it('shows which statement makes a team profile image public', async () => {
    const key = 'teams/t-42/profile/logo.png';
    const root = stack.client();
    await root.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('png'), ContentType: 'image/png' }),
    );
    root.destroy();
    await page.goto(
      `${stack.console.url}/#/storage/${BUCKET}?prefix=teams/t-42/profile/&key=${encodeURIComponent(key)}`,
    );
    await page.locator('.access.public').waitFor();
    expect(await page.locator('.access.public strong').textContent()).toBe(
      'Public: yes, by statement PublicReadTeamProfileImages',
    );
    expect(await page.locator('tr.object .pill').textContent()).toBe('public · PublicReadTeamProfileImages');
  });

  it('uploads and deletes as root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'console-upload-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, `console-upload-${process.pid}.txt`);
    const content = Buffer.from('업로드 테스트 — uploaded from the console\n');
    await writeFile(file, content);
    await page.goto(`${stack.console.url}/#/storage/${BUCKET}?prefix=uploads/`);
    await page.waitForSelector('.objects-pane .toolbar');
    await page.setInputFiles('#upload-input', file);
    const name = file.slice(file.lastIndexOf('/') + 1);
    await page.locator('tr.object', { hasText: name }).waitFor();
    expect((await stack.s3.getObject(BUCKET, `uploads/${name}`))?.body).toEqual(content);

    await page.locator('tr.object', { hasText: name }).click();
    await page.locator('.object-detail button.danger').click();
    await expect.poll(() => page.locator('tr.object', { hasText: name }).count()).toBe(0);
    expect(stack.s3.headObject(BUCKET, `uploads/${name}`)).toBeUndefined();
  });
});

describe('console: requests', () => {
  it('shows denied requests live, each with the decision that refused it', async () => {
    await page.goto(`${stack.console.url}/#/requests`);
    await page.waitForSelector('table.requests-table');

    const app = stack.client(APP_USER);
    await expect(app.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    app.destroy();
    const anonymous = await fetch(
      `${stack.s3.url}/${BUCKET}/chat/room-7/${encodeURIComponent('첨부파일.bin')}`,
    );
    expect(anonymous.status).toBe(403);

    const listRow = page.locator('tr.req.denied', { hasText: 'ListBuckets' });
    await listRow.waitFor();
    await listRow.locator('button.why').click();
    const listWhy = page.locator('tr.req-detail').first();
    expect(await listWhy.locator('.reason').textContent()).toBe(
      "Denied: no statement in identity policy 'focusmate-app-policy' allows s3:ListAllMyBuckets on *",
    );
    expect(await listWhy.textContent()).toContain('focusmate-s3-user');

    const getRow = page.locator('tr.req.denied', { hasText: 'anonymous' });
    await getRow.locator('button.why').click();
    const getWhy = page.locator('tr.req-detail', { hasText: 'anonymous' });
    expect(await getWhy.locator('.reason').textContent()).toContain(
      'no statement in the bucket policy allows anonymous s3:GetObject on arn:aws:s3:::focusmate-uploads/chat/room-7/',
    );

    await page.check('#denied-only');
    expect(await page.locator('tr.req:not(.denied)').count()).toBe(0);
    expect(await page.locator('tr.req.denied').count()).toBe(2);
    expect(pageErrors).toEqual([]);
  });
});
