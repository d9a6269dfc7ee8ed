// The Mail page in a real browser: live inbox, message view, attachments, and a hostile email
// that must not run script or phone home.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startTracker, type Tracker } from './browser.ts';
import { type ComposedStack, composeStack } from './compose.ts';

let stack: ComposedStack;
let browser: Browser;
let page: Page;
let tracker: Tracker;
const pageErrors: string[] = [];
const dialogs: string[] = [];

beforeAll(async () => {
  [stack, browser, tracker] = await Promise.all([composeStack(), launchBrowser(), startTracker()]);
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${stack.console.url}/#/mail`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector('.mail-list .empty');
  // Survives only as long as the page is never reloaded.
  await page.evaluate("window.marker = 'no-reload'");
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await tracker?.stop();
});

describe('console: mail', () => {
  it('shows a message sent during the test without a reload, and opens it with body and attachment', async () => {
    const attachment = Buffer.from('팀 인증 서류 — verification document\n');
    await stack.transport().sendMail({
      from: 'Focus Mate <no-reply@focusmate.app>',
      to: 'leader+t42@focusmate.app',
      subject: "[Focus Mate] '새벽 코딩 스터디' 팀 인증 요청이 접수되었습니다",
      text: '팀 인증 요청이 정상적으로 접수되었습니다.',
      html: '<p>팀 인증 요청이 <b>정상적으로</b> 접수되었습니다.</p>',
      attachments: [{ filename: '인증서류.txt', content: attachment, contentType: 'text/plain' }],
    });
    const item = page.locator('.mail-item', { hasText: '팀 인증 요청이 접수되었습니다' });
    await item.waitFor();
    expect(await page.evaluate('window.marker')).toBe('no-reload');

    await item.click();
    await expect
      .poll(() => page.locator('.message-subject').textContent())
      .toBe("[Focus Mate] '새벽 코딩 스터디' 팀 인증 요청이 접수되었습니다");
    const frame = page.frameLocator('iframe.mail-frame');
    await frame.locator('b', { hasText: '정상적으로' }).waitFor();
    await page.click('[data-tab="text"]');
    expect(await page.locator('pre.text-part').textContent()).toContain(
      '팀 인증 요청이 정상적으로 접수되었습니다.',
    );

    const link = page.locator('a.attachment', { hasText: '인증서류.txt' });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('인증서류.txt');
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path)).toEqual(attachment);

    await page.click('[data-tab="session"]');
    await page.locator('table.kv', { hasText: 'dev@focusmate.local' }).waitFor();
    expect(await page.locator('.message-body table.kv').textContent()).toMatch(/TLSv1\.[23]/);
  });

  it('renders a hostile email without running its script or fetching remote content until asked', async () => {
    const t = tracker.url;
    const hostileSubject =
      '<img src=x onerror="top.pwned=\'subject\'"> 인증 코드 <script>top.pwned=1</script>';
    await stack.transport().sendMail({
      from: '"<b onmouseover=alert(1)>Mallory</b>" <mallory@evil.example>',
      to: 'leader@focusmate.app',
      subject: hostileSubject,
      text: 'plain part',
      html: [
        `<meta http-equiv="refresh" content="0;url=${t}/refresh">`,
        '<script>top.pwned = "script"; parent.pwned = "script"; alert("script")</script>',
        `<img id="remote" src="${t}/remote.png" width="10" height="10">`,
        '<img src="x" onerror="top.pwned=\'onerror\'">',
        '<svg onload="top.pwned=\'svg\'"><circle r="4"/></svg>',
        '<a id="js" href="javascript:top.pwned=\'link\'">click me</a>',
        `<form action="${t}/form"><button id="submit">go</button></form>`,
        `<iframe src="${t}/frame"></iframe>`,
        `<link rel="stylesheet" href="${t}/style.css">`,
        '<p id="hello">Hello from a hostile mail</p>',
      ].join('\n'),
      attachments: [{ filename: '<img src=x onerror=alert(1)>.txt', content: 'x' }],
    });
    const item = page.locator('.mail-item', { hasText: '인증 코드' });
    await item.waitFor();
    await item.click();
    const frame = page.frameLocator('iframe.mail-frame');
    await frame.locator('#hello').waitFor();

    // Hostile strings are shown as text, never parsed as markup.
    expect(await page.locator('.message-subject').textContent()).toBe(hostileSubject);
    expect(await page.locator('.message-subject img, .message-header script, .attachments img').count()).toBe(
      0,
    );
    expect(await page.locator('a.attachment').first().textContent()).toContain(
      '<img src=x onerror=alert(1)>',
    );

    // A javascript: link in the mail does nothing either.
    await frame.locator('#js').click();
    await frame.locator('#submit').click();
    await page.locator('#load-remote-images').waitFor();
    expect(tracker.hits).toEqual([]);

    // Remote images load once asked, and only then; nothing else ever reaches the network.
    await page.click('#load-remote-images');
    await tracker.waitFor('/remote.png');
    await frame.locator('#hello').waitFor();
    expect(tracker.hits.filter((h) => h !== '/remote.png')).toEqual([]);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(await page.evaluate('window.marker')).toBe('no-reload');
  });

  it('searches with the API query language and deletes one message', async () => {
    await page.fill('input.search', 'subject:"팀 인증 요청"');
    await expect.poll(() => page.locator('.mail-item').count()).toBe(1);
    await page.locator('.mail-item').click();
    await page.click('.message-actions button.danger');
    await expect.poll(() => page.locator('.mail-item').count()).toBe(0);
    expect(stack.mail.messages().map((m) => m.subject)).not.toContain(
      "[Focus Mate] '새벽 코딩 스터디' 팀 인증 요청이 접수되었습니다",
    );
  });
});
