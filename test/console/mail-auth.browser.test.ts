// The Mail page shows each message's DKIM / SPF / DMARC verdicts, as the captured-mail server
// judged them against the stack's DNS zone: the app's signed invitation passes, a forged From
// fails DMARC, and a forged signature says why it failed — with hostile selector text kept as text.
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/index.ts';
import { createEmailService } from '../../src/email/email-service.ts';
import { teamInvitationEmail } from '../../src/email/messages.ts';
import { silentLogger } from '../../src/index.ts';
import { launchBrowser } from './browser.ts';
import { type ComposedStack, composeStack } from './compose.ts';

const INVITEE = 'jisu.park@example.com';
const SIGNED_SUBJECT = "[Focus Mate] '새벽 코딩 클럽' 팀에 초대했습니다";
const FORGED_SUBJECT = 'Forged From: reset your password';
const BAD_SIGNATURE_SUBJECT = 'Forged signature: invoice';
const HOSTILE_SELECTOR = '<b>evil</b>';

let stack: ComposedStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([composeStack({ dkim: {} }), launchBrowser()]);
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${stack.console.url}/#/mail`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector('.mail-list .empty');

  // 1. The app's own invitation, through its email service: the stack gave it a DKIM key.
  const app = createEmailService(loadSettings(stack.stack.env).smtp, {
    logger: silentLogger,
    retry: { attempts: 1 },
  });
  try {
    const sent = await app.send(
      INVITEE,
      teamInvitationEmail({ teamName: '새벽 코딩 클럽', acceptUrl: 'https://focusmate.example/a?token=t' }),
    );
    expect(sent.status).toBe('sent');
  } finally {
    app.close();
  }

  // 2. Someone else's server claiming to be focusmate.com: unsigned, bounces to its own domain.
  const relay = stack.transport();
  try {
    await relay.sendMail({
      envelope: { from: 'bounce@evil.example', to: [INVITEE] },
      from: 'Focus Mate <noreply@focusmate.com>',
      to: INVITEE,
      subject: FORGED_SUBJECT,
      text: 'Open https://evil.example/reset',
    });

    // 3. A DKIM-Signature for focusmate.com under a selector the zone does not publish.
    const builder = nodemailer.createTransport({
      streamTransport: true,
      buffer: true,
      dkim: {
        domainName: 'focusmate.com',
        keySelector: HOSTILE_SELECTOR,
        privateKey: stack.stack.env.SMTP_DKIM_PRIVATE_KEY!.replace(/\\n/g, '\n'),
      },
    });
    const built = await builder.sendMail({
      from: 'Focus Mate <noreply@focusmate.com>',
      to: INVITEE,
      subject: BAD_SIGNATURE_SUBJECT,
      text: 'Pay here',
    });
    await relay.sendMail({ envelope: { from: 'bounce@evil.example', to: [INVITEE] }, raw: built.message });
  } finally {
    relay.close();
  }
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const item = (subject: string) => page.locator('.mail-item', { hasText: subject });

/** [mechanism, result] of every badge under `selector`, once they are there. */
async function badges(selector: string): Promise<string[][]> {
  await page.locator(`${selector} .auth-badge`).first().waitFor();
  const all = await page.locator(`${selector} .auth-badge`).all();
  return Promise.all(
    all.map(async (b) => [(await b.getAttribute('data-mechanism'))!, (await b.getAttribute('data-result'))!]),
  );
}

async function open(subject: string): Promise<void> {
  await item(subject).click();
  await expect.poll(() => page.locator('.message-subject').textContent()).toBe(subject);
}

/** The text of the row headed `label` in the DMARC / SPF section of the Authentication tab. */
const row = (mechanism: string, label: string) =>
  page
    .locator(`.auth-section[data-mechanism="${mechanism}"] tr`, {
      has: page.locator('th', { hasText: label }),
    })
    .locator('td')
    .textContent();

describe('console: mail authentication verdicts', () => {
  it('summarises each message in the inbox with its DMARC verdict, fetched without a reload', async () => {
    for (const [subject, result] of [
      [SIGNED_SUBJECT, 'pass'],
      [FORGED_SUBJECT, 'fail'],
      [BAD_SIGNATURE_SUBJECT, 'fail'],
    ] as const) {
      await item(subject).waitFor();
      expect(await badges(`.mail-item:has-text("${subject}") .mail-auth`)).toEqual([['dmarc', result]]);
    }
  });

  it("shows the app's signed invitation passing DKIM, SPF and DMARC, as the API says", async () => {
    await open(SIGNED_SUBJECT);
    expect(await badges('.auth-strip')).toEqual([
      ['dkim', 'pass'],
      ['spf', 'pass'],
      ['dmarc', 'pass'],
    ]);
    const id = (await item(SIGNED_SUBJECT).getAttribute('data-id'))!;
    const api = await stack.mail.auth(id);
    expect(api.dmarc.result).toBe('pass');

    // The badges lead to the details: the signature, the SPF check and the DMARC decision.
    await page.click('.auth-strip');
    const signature = page.locator('.auth-section[data-mechanism="dkim"] tr.dkim-signature');
    await signature.waitFor();
    expect(await signature.locator('td').allTextContents()).toEqual([
      'focusmate.com',
      'stack',
      'pass',
      'yes',
      '',
    ]);
    expect(await page.getAttribute('[data-tab="auth"]', 'aria-selected')).toBe('true');
    expect(await row('spf', 'Domain checked')).toBe('focusmate.com');
    expect(await row('spf', 'Client IP')).toBe('127.0.0.1');
    expect(await row('dmarc', 'From domain')).toBe('focusmate.com');
    expect(await row('dmarc', 'Policy')).toBe('reject');
    expect(await row('dmarc', 'DKIM aligned')).toBe('yes');
    expect(await page.locator('pre.auth-summary').textContent()).toBe(api.summary);
  });

  it("shows a forged From failing DMARC: unsigned, and SPF judged the sender's own domain", async () => {
    await open(FORGED_SUBJECT);
    expect(await badges('.auth-strip')).toEqual([
      ['dkim', 'none'],
      ['spf', 'none'],
      ['dmarc', 'fail'],
    ]);
    await page.click('[data-tab="auth"]');
    await page.locator('.auth-section[data-mechanism="dmarc"]').waitFor();
    expect(await page.locator('.auth-section[data-mechanism="dkim"] p').textContent()).toMatch(/unsigned/);
    expect(await row('spf', 'Domain checked')).toBe('evil.example');
    expect(await row('spf', 'Reason')).toMatch(/evil\.example does not designate permitted sender hosts/);
    expect(await row('dmarc', 'Policy')).toBe('reject');
    expect(await row('dmarc', 'DKIM aligned')).toBe('no');
    expect(await row('dmarc', 'SPF aligned')).toBe('no');
    expect(await row('dmarc', 'Reason')).toMatch(
      /Neither DKIM nor SPF passed in alignment with focusmate\.com/,
    );
  });

  it("shows why a signature failed, in mailauth's words, and the message's selector only as text", async () => {
    await open(BAD_SIGNATURE_SUBJECT);
    expect(await badges('.auth-strip')).toEqual([
      ['dkim', 'neutral'],
      ['spf', 'none'],
      ['dmarc', 'fail'],
    ]);
    expect(await page.getAttribute('.auth-strip [data-mechanism="dkim"]', 'class')).toContain('tone-fail');
    expect(await page.getAttribute('.auth-strip [data-mechanism="dkim"]', 'title')).toBe('no key');
    await page.click('[data-tab="auth"]');
    const signature = page.locator('tr.dkim-signature');
    await signature.waitFor();
    const [domain, selector, result, aligned, reason] = await signature.locator('td').allTextContents();
    expect([domain, result, aligned, reason]).toEqual(['focusmate.com', 'neutral', 'no', 'no key']);
    // The selector comes from the message's own header: markup in it stays text.
    expect(selector).toBe(HOSTILE_SELECTOR);
    expect(await page.locator('.auth-details b, .auth-strip b').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
