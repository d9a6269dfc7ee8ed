// Versions in a real browser, on a stack with versioning on: a key written twice and deleted
// through the S3 API shows up under "Show deleted", its detail lists both versions and the delete
// marker, an old version downloads byte for byte, and Restore makes it current again — checked
// through the S3 API. The key is hostile markup: it must stay text.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.ts';
import { BUCKET, type ComposedStack, composeStack } from './compose.ts';

let stack: ComposedStack;
let browser: Browser;
let page: Page;
let root: S3Client;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([composeStack({ versioning: true }), launchBrowser()]);
  root = stack.client();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => void d.accept());
});

afterAll(async () => {
  root?.destroy();
  await browser?.close();
  await stack?.stop();
});

describe('console: versions', () => {
  it('lists a deleted key, shows its versions and delete marker, and restores the older version', async () => {
    const name = '<img src=x onerror="window.__pwned=1"> plan & "v".bin';
    const key = `docs/${name}`;
    const first = randomBytes(3000);
    const second = randomBytes(5000);
    const put = async (Body: Buffer) =>
      (
        await root.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: key, Body, ContentType: 'application/octet-stream' }),
        )
      ).VersionId!;
    const v1 = await put(first);
    const v2 = await put(second);
    const marker = (await root.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))).VersionId!;

    await page.goto(`${stack.console.url}/#/storage/${BUCKET}?prefix=docs/`);
    await page.locator('.objects-pane .empty').waitFor();
    await page.check('#show-deleted');
    const row = page.locator('tr.object.deleted', { hasText: name });
    await row.waitFor();
    expect(await row.locator('td a').textContent()).toBe(name);
    await row.click();

    const detail = page.locator('.object-detail');
    await detail.locator('.access.deleted').waitFor();
    expect(await detail.locator('.object-key').textContent()).toBe(name);
    const versionIds = async () =>
      Promise.all((await detail.locator('li.version').all()).map((l) => l.getAttribute('data-version-id')));
    const item = (id: string) => detail.locator(`li.version[data-version-id="${id}"]`);
    await item(v1).waitFor();
    expect(await versionIds()).toEqual([marker, v2, v1]);
    expect(await item(marker).locator('.pill').allTextContents()).toEqual(['latest', 'delete marker']);
    expect(await item(marker).locator('a, button').count()).toBe(0);
    expect(await item(v1).locator('.pill').count()).toBe(0);
    expect(await item(v1).locator('.version-meta').textContent()).toContain('2.9 KiB');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item(v1).locator('a.button', { hasText: 'Download' }).click(),
    ]);
    expect(await readFile(await download.path())).toEqual(first);

    await item(v1).locator('button.restore').click();
    // The detail reloads with a current version: the new one on top, latest, then the rest.
    await detail.locator('.access.private').waitFor();
    await detail.locator('li.version.latest:not(.marker)').waitFor();
    const ids = await versionIds();
    expect(ids.slice(1)).toEqual([marker, v2, v1]);

    const current = await root.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(current.VersionId).toBe(ids[0]);
    expect([v1, v2, marker]).not.toContain(current.VersionId);
    expect(Buffer.from(await current.Body!.transformToByteArray())).toEqual(first);
    const listed = await root.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: key }));
    expect(listed.Versions?.find((v) => v.IsLatest)?.VersionId).toBe(current.VersionId);

    // Back in the listing as a live object.
    await page.locator('tr.object:not(.deleted)', { hasText: name }).waitFor();
    expect(await page.locator('tr.object.deleted', { hasText: name }).count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });

  it("shows the bucket's versioning status next to its policy and CORS", async () => {
    await page.goto(`${stack.console.url}/#/storage/${BUCKET}?view=settings`);
    const card = page.locator('.card.versioning');
    await card.waitFor();
    expect(await card.locator('.pill').textContent()).toBe('Enabled');
    expect(await page.locator('.card.lifecycle').textContent()).toContain('none');
    expect(pageErrors).toEqual([]);
  });
});
