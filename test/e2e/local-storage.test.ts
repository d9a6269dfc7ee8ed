// STORAGE_TYPE=local (the guide's development default): the same flows store files on disk
// under STORAGE_LOCAL_PATH while email still goes through the stack's SMTP server. Nothing
// lands in the bucket.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect } from '../../stack/testing/fixture.ts';
import { appFor, expectSentAsApp } from './support/app.ts';
import { samplePdf, samplePng } from './support/sample-files.ts';

const test = base.extend<{ uploads: string }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take their dependencies by destructuring
  uploads: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'e2e-uploads-'));
    try {
      await use(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});

const LEADER = 'minji.kim@example.com';

test('verification documents land on disk; the leader is emailed through the stack', async ({
  stack,
  uploads,
}) => {
  await using app = appFor(
    { ...stack.env, STORAGE_TYPE: 'local', STORAGE_LOCAL_PATH: 'uploads' },
    { cwd: uploads },
  );
  expect(app.storage.kind).toBe('local');
  const pdf = samplePdf('certificate');

  const submitted = await app.flows.submitVerificationDocument({
    teamId: 'team-focus-study',
    teamName: '포커스 스터디',
    leaderEmail: LEADER,
    document: { fileName: '사업자등록증.pdf', contentType: 'application/pdf', body: pdf },
  });
  await app.flows.rejectVerification({
    teamName: '포커스 스터디',
    leaderEmail: LEADER,
    documentKey: submitted.documentKey,
    reason: '사업자등록번호가 보이지 않습니다.',
  });

  expect(submitted.documentKey).toMatch(/^verifications\/team-focus-study\/[0-9a-f-]{36}-사업자등록증\.pdf$/);
  // STORAGE_LOCAL_PATH is relative: it resolves against the app's working directory.
  const onDisk = await readFile(join(uploads, 'uploads', ...submitted.documentKey.split('/')));
  expect(onDisk.equals(pdf)).toBe(true);
  const info = await app.storage.head(submitted.documentKey);
  expect(info.contentType).toBe('application/pdf');
  expect(info.metadata).toEqual({
    'team-id': 'team-focus-study',
    'original-name': encodeURIComponent('사업자등록증.pdf'),
  });

  const mails = await stack.mail.waitFor({ to: LEADER, count: 2 });
  expect(mails.map((m) => m.subject)).toEqual([
    "[Focus Mate] '포커스 스터디' 팀 인증 요청이 접수되었습니다",
    "[Focus Mate] '포커스 스터디' 팀 인증이 반려되었습니다",
  ]);
  for (const mail of mails) expectSentAsApp(mail, stack.env, [LEADER]);
  expect((await stack.mail.message(mails[1]!.id)).text).toContain(
    '반려 사유: 사업자등록번호가 보이지 않습니다.',
  );
  expect(await stack.s3.inspect.listObjects(stack.s3.bucket)).toEqual([]);
});

test('chat attachments, profile images and invitations work the same on disk', async ({ stack, uploads }) => {
  await using app = appFor({ ...stack.env, STORAGE_TYPE: 'local', STORAGE_LOCAL_PATH: uploads });
  const pdf = samplePdf('notes');
  const png = samplePng();

  const chat = await app.flows.attachFileToChat({
    roomId: 'room-focus-study-general',
    file: { fileName: '3월 회의록.pdf', contentType: 'application/pdf', body: pdf },
  });
  const first = await app.flows.setTeamProfileImage({
    teamId: 'team-focus-study',
    image: { fileName: 'logo.png', contentType: 'image/png', body: samplePng(2) },
  });
  const profile = await app.flows.setTeamProfileImage({
    teamId: 'team-focus-study',
    image: { fileName: 'logo.png', contentType: 'image/png', body: png },
  });
  const invited = await app.flows.inviteMember({
    teamId: 'team-focus-study',
    teamName: '포커스 스터디',
    inviteeEmail: 'jisu.park@example.com',
    inviterName: '김민지',
  });

  expect(chat.key).toMatch(/^chat\/room-focus-study-general\/[0-9a-f-]{36}-3월-회의록\.pdf$/);
  // Local disk cannot presign: the app offers no link rather than a broken one.
  expect(chat.downloadUrl).toBeUndefined();
  expect((await readFile(join(uploads, ...chat.key.split('/')))).equals(pdf)).toBe(true);

  expect(profile.replaced).toEqual([first.key]);
  expect(await app.storage.exists(first.key)).toBe(false);
  expect(profile.publicUrl.startsWith('file://')).toBe(true);
  expect((await readFile(fileURLToPath(profile.publicUrl))).equals(png)).toBe(true);
  expect((await app.storage.head(profile.key)).contentType).toBe('image/png');

  const [mail] = await stack.mail.waitFor({ to: 'jisu.park@example.com' });
  expectSentAsApp(mail!, stack.env, ['jisu.park@example.com']);
  expect((await stack.mail.extract(mail!.id)).links.map((l) => l.url)).toContain(invited.acceptUrl);
  expect(await stack.s3.inspect.listObjects(stack.s3.bucket)).toEqual([]);
});
