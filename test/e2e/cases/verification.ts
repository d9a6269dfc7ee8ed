// Team verification end to end: the leader's document lands privately in the bucket, and the
// leader hears about the submission, the approval and the rejection (with its reason) by email.
import { describe } from 'vitest';
import type { App } from '../../../src/index.ts';
import type { Stack } from '../../../stack/stack.ts';
import { expect, test } from '../../../stack/testing/fixture.ts';
import { anonymousGet, appFor, expectSentAsApp, objectUrl } from '../support/app.ts';
import { samplePdf } from '../support/sample-files.ts';

const LEADER = 'minji.kim@example.com';
const TEAM = { teamId: 'team-focus-study', teamName: '포커스 스터디' };

async function submit(app: App, fileName = '사업자등록증.pdf') {
  const pdf = samplePdf('Business registration certificate');
  const result = await app.flows.submitVerificationDocument({
    ...TEAM,
    leaderEmail: LEADER,
    document: { fileName, contentType: 'application/pdf', body: pdf },
  });
  return { pdf, result };
}

/** The one message the flow sent, after the submission notice when there was one. */
async function onlyMailAfter(stack: Stack, afterSeq: number) {
  const [mail] = await stack.mail.waitFor({ to: LEADER, afterSeq });
  expect(stack.mail.messages({ afterSeq })).toHaveLength(1);
  return mail!;
}

/** Registers these cases in the calling test file, on that file's stack. */
export function verificationCases(): void {
  describe('verification document', () => {
    test('submitted: stored privately under verifications/{teamId}/ and the leader is notified', async ({
      stack,
    }) => {
      await using app = appFor(stack.env);
      const { pdf, result } = await submit(app);

      expect(result.documentKey).toMatch(
        /^verifications\/team-focus-study\/[0-9a-f-]{36}-사업자등록증\.pdf$/,
      );
      expect(result.size).toBe(pdf.length);
      await expect(stack).toHaveStored(result.documentKey);
      const stored = await stack.s3.inspect.getObject(stack.s3.bucket, result.documentKey);
      expect(stored?.body.equals(pdf)).toBe(true);
      expect(stored?.contentType).toBe('application/pdf');
      expect(stored?.metadata).toEqual({
        'team-id': 'team-focus-study',
        'original-name': encodeURIComponent('사업자등록증.pdf'),
      });

      // Private: the seeded bucket policy opens only team profile images to anonymous readers.
      const visitor = await anonymousGet(objectUrl(stack.s3.url, stack.s3.bucket, result.documentKey));
      expect(visitor.status).toBe(403);
      expect(visitor.errorCode).toBe('AccessDenied');
      expect(visitor.body.includes(pdf.subarray(0, 64))).toBe(false);

      expect(result.notification.status).toBe('sent');
      const subject = "[Focus Mate] '포커스 스터디' 팀 인증 요청이 접수되었습니다";
      await expect(stack).toHaveReceived({ to: LEADER, subject });
      const mail = await onlyMailAfter(stack, 0);
      expect(mail.subject).toBe(subject);
      expectSentAsApp(mail, stack.env, [LEADER]);
      // Korean survives the wire as RFC 2047 encoded words (headers stay 7-bit ASCII).
      const raw = (await stack.mail.raw(mail.id)).toString('latin1');
      expect(raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);
      const full = await stack.mail.message(mail.id);
      expect(full.text).toContain("안녕하세요, '포커스 스터디' 팀 리더님.");
      expect(full.text).toContain('관리자가 검토한 뒤 결과를 이메일로 알려드립니다');
      expect(full.html).toContain('<html lang="ko">');
      expect(full.html).toContain('&#39;포커스 스터디&#39; 팀 리더님');
      expect(full.attachments).toEqual([]);
    });

    test('approved: the leader is told the team is verified; the document stays', async ({ stack }) => {
      await using app = appFor(stack.env);
      const { result } = await submit(app);
      const afterSubmit = stack.mail.seq;

      const approved = await app.flows.approveVerification({
        teamName: TEAM.teamName,
        leaderEmail: LEADER,
        documentKey: result.documentKey,
      });

      expect(approved.notification.status).toBe('sent');
      const mail = await onlyMailAfter(stack, afterSubmit);
      expect(mail.subject).toBe("[Focus Mate] '포커스 스터디' 팀 인증이 승인되었습니다");
      expectSentAsApp(mail, stack.env, [LEADER]);
      const full = await stack.mail.message(mail.id);
      expect(full.text).toContain('팀 인증이 승인되었습니다. 이제 인증된 팀으로');
      expect(full.html).toContain('팀 인증이 승인되었습니다.');
      expect(await stack.s3.inspect.exists(stack.s3.bucket, result.documentKey)).toBe(true);
    });

    test('rejected: the email carries the reviewer’s reason, HTML-escaped in the HTML part', async ({
      stack,
    }) => {
      await using app = appFor(stack.env);
      const { result } = await submit(app, '재직 증명서.pdf');
      expect(result.documentKey).toMatch(/^verifications\/team-focus-study\/[0-9a-f-]{36}-재직-증명서\.pdf$/);
      const afterSubmit = stack.mail.seq;
      const reason =
        '재직 증명서 사본이 흐려 확인할 수 없습니다 (해상도 < 150dpi). 선명한 스캔본으로 다시 제출해 주세요.';

      const rejected = await app.flows.rejectVerification({
        teamName: TEAM.teamName,
        leaderEmail: LEADER,
        documentKey: result.documentKey,
        reason,
      });

      expect(rejected.notification.status).toBe('sent');
      const mail = await onlyMailAfter(stack, afterSubmit);
      expect(mail.subject).toBe("[Focus Mate] '포커스 스터디' 팀 인증이 반려되었습니다");
      expectSentAsApp(mail, stack.env, [LEADER]);
      const full = await stack.mail.message(mail.id);
      expect(full.text).toContain(`반려 사유: ${reason}`);
      expect(full.text).toContain(`Reason: ${reason}`);
      expect(full.html).toContain(
        '반려 사유: 재직 증명서 사본이 흐려 확인할 수 없습니다 (해상도 &lt; 150dpi).',
      );
      expect(full.html).not.toContain('해상도 < 150dpi');
    });

    test('a review of a document that was never stored is refused and sends nothing', async ({ stack }) => {
      await using app = appFor(stack.env);
      const missing = 'verifications/team-focus-study/00000000-0000-0000-0000-000000000000-없는-서류.pdf';
      await expect(
        app.flows.approveVerification({ teamName: TEAM.teamName, leaderEmail: LEADER, documentKey: missing }),
      ).rejects.toMatchObject({ name: 'StorageError', code: 'NOT_FOUND' });
      expect(stack.mail.messages()).toEqual([]);
    });
  });
}
