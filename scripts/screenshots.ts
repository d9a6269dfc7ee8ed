// Writes PNG screenshots of every console page to docs/screenshots/ for the README: starts the
// embedded S3 server, the mail server and the console (as the console tests compose them), sends
// the app's real FocusMate emails, stores a few objects as the app user, provokes two denied
// requests, and photographs each page in Debian's Chromium (never a downloaded browser).
//   npx node scripts/screenshots.ts [outDir]
// Korean text needs a CJK font on the machine (Debian: fonts-nanum or fonts-noto-cjk).
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { GetObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import {
  teamInvitationEmail,
  verificationApprovedEmail,
  verificationRejectedEmail,
  verificationSubmittedEmail,
} from '../src/email/messages.ts';
import { launchChromium } from '../stack/testing/chromium.ts';
import { APP_USER, BUCKET, composeStack } from '../test/console/compose.ts';

const outDir = resolve(process.argv[2] ?? 'docs/screenshots');
const FROM = 'Focus Mate <no-reply@focusmate.app>';

/** A small RGB PNG (a FocusMate-ish badge), so the image preview has something to show. */
function badgePng(size = 160): Buffer {
  const raw = Buffer.alloc(size * (size * 3 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    for (let x = 0; x < size; x++) {
      const dx = x - size / 2;
      const dy = y - size / 2;
      const inside = dx * dx + dy * dy < (size * 0.42) ** 2;
      const ring = Math.abs(Math.hypot(dx, dy) - size * 0.28) < size * 0.05;
      const [r, g, b] = ring ? [255, 255, 255] : inside ? [59, 91 + (y >> 2), 219] : [237, 241, 255];
      raw.set([r, g, b], row + 1 + x * 3);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function shoot(
  page: Page,
  hash: string,
  ready: string,
  file: string,
  before?: (p: Page) => Promise<void>,
) {
  await page.goto(`about:blank`);
  await page.goto(`${base}/${hash}`);
  await page.waitForSelector(ready, { timeout: 10_000 });
  await before?.(page);
  await page.waitForTimeout(150); // let the last fade-in settle before the photo
  await page.screenshot({ path: join(outDir, file) });
  console.log(`wrote ${join(outDir, file)}`);
}

// Versioning and the stack's lifecycle rules on, as `dev:stack --versioning --lifecycle default`.
const stack = await composeStack({ versioning: true, lifecycle: true });
const base = stack.console.url;
try {
  await mkdir(outDir, { recursive: true });
  const transport = stack.transport();
  const send = async (to: string, content: { subject: string; text: string; html: string }, extra = {}) =>
    transport.sendMail({
      from: FROM,
      to,
      subject: content.subject,
      text: content.text,
      html: content.html,
      ...extra,
    });
  await send('leader+t42@focusmate.app', verificationSubmittedEmail({ teamName: '새벽 코딩 스터디' }));
  await send(
    'leader+t42@focusmate.app',
    verificationRejectedEmail({
      teamName: '새벽 코딩 스터디',
      reason: '사업자등록증 사본이 흐릿하여 확인할 수 없습니다.',
    }),
  );
  await send('leader+t42@focusmate.app', verificationApprovedEmail({ teamName: '새벽 코딩 스터디' }), {
    attachments: [
      {
        filename: '인증서_새벽코딩스터디.pdf',
        content: Buffer.from('%PDF-1.4\n% FocusMate\n'),
        contentType: 'application/pdf',
      },
    ],
  });
  await send(
    'minji.park+t42@example.com',
    teamInvitationEmail({
      teamName: '새벽 코딩 스터디',
      inviterName: '김도윤',
      acceptUrl: 'http://localhost:3000/invitations/accept?token=7f3c2a9e51',
      expiresAt: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    }),
  );
  await stack.mail.waitFor({ count: 4 });

  const app = stack.client(APP_USER);
  const put = (Key: string, Body: Buffer | string, ContentType: string, extra = {}) =>
    app.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ContentType, ...extra }));
  // The team's first logo, then its replacement: the bucket keeps both versions.
  await put('teams/t-42/profile/logo.png', badgePng(120), 'image/png', {
    Metadata: { 'uploaded-by': 'user-1024' },
  });
  await put('teams/t-42/profile/logo.png', badgePng(), 'image/png', {
    Metadata: { 'uploaded-by': 'user-1024' },
  });
  await put(
    'verifications/t-42/business-registration.pdf',
    Buffer.from('%PDF-1.4\n% scanned document\n'),
    'application/pdf',
    {
      Metadata: { 'team-id': 't-42', 'original-name': encodeURIComponent('사업자등록증.pdf') },
    },
  );
  await put(
    'chat/room-7/2026/회의록.txt',
    '오늘의 집중 세션 회의록\n- 목표: 알고리즘 3문제\n- 다음 세션: 토요일 06:00\n',
    'text/plain; charset=utf-8',
    {
      Tagging: 'kind=chat-attachment&room=room-7',
    },
  );
  await put('chat/room-7/2026/diagram.png', badgePng(96), 'image/png');
  await app.send(new ListBucketsCommand({})).catch(() => undefined);
  await fetch(`${stack.s3.url}/${BUCKET}/verifications/t-42/business-registration.pdf`);
  await fetch(`${stack.s3.url}/${BUCKET}/teams/t-42/profile/logo.png`);
  await app
    .send(new GetObjectCommand({ Bucket: BUCKET, Key: 'chat/room-7/2026/회의록.txt' }))
    .then((r) => r.Body?.transformToString());
  app.destroy();

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({
      viewport: { width: 1440, height: 900 },
      locale: 'ko-KR',
      timezoneId: 'Asia/Seoul',
    });
    for (const run of ['first (cold browser)', 'second']) {
      const started = performance.now();
      await page.goto(`${base}/#/mail`);
      await page.waitForSelector('.mail-item');
      console.log(`${run} load of the console with its inbox: ${Math.round(performance.now() - started)} ms`);
      await page.goto('about:blank');
    }
    const invitation = stack.mail.messages({ subject: '초대' })[0]!;
    const approved = stack.mail.messages({ subject: '승인' })[0]!;
    await shoot(page, `#/mail/${invitation.id}`, '.mail-item.selected', 'mail.png');
    await shoot(page, `#/mail/${approved.id}`, '.attachment', 'mail-attachment.png');
    await shoot(page, `#/mail/${invitation.id}`, '.mail-item.selected', 'mail-links.png', async (p) => {
      await p.click('[data-tab="links"]');
      await p.waitForSelector('ul.links li');
    });
    await shoot(
      page,
      `#/storage/${BUCKET}?prefix=teams/t-42/profile/&key=teams/t-42/profile/logo.png`,
      '.access.public',
      'storage.png',
      async (p) => {
        await p.waitForFunction("document.querySelector('.preview img')?.complete");
      },
    );
    await shoot(
      page,
      `#/storage/${BUCKET}?prefix=teams/t-42/profile/&key=teams/t-42/profile/logo.png`,
      '.versions-list',
      'storage-versions.png',
      async (p) => {
        await p.locator('.versions').scrollIntoViewIfNeeded();
      },
    );
    await shoot(
      page,
      `#/storage/${BUCKET}?prefix=chat/room-7/2026/&key=chat/room-7/2026/${encodeURIComponent('회의록.txt')}`,
      'pre.text-preview',
      'storage-text-preview.png',
    );
    await shoot(page, `#/storage/${BUCKET}`, 'tr.folder', 'storage-permissions.png', async (p) => {
      await p.click('.toolbar [data-tab="settings"]');
      await p.waitForSelector('pre.code-block');
    });
    await shoot(page, '#/requests', 'tr.req.denied', 'requests.png', async (p) => {
      await p.click('tr.req.denied button.why');
      await p.waitForSelector('.why-box');
    });
    await shoot(page, '#/overview', '.overview .card', 'overview.png');
  } finally {
    await browser.close();
  }
} finally {
  await stack.stop();
}
