// SMTP_ENABLED=false (the guide's default): the app still stores files and runs every flow,
// logs each email it would have sent, and never opens an SMTP connection.
import { describe } from 'vitest';
import { expect, test } from '../../../stack/testing/fixture.ts';
import { recordingLogger } from '../../helpers/recording-logger.ts';
import { appFor } from '../support/app.ts';
import { samplePdf } from '../support/sample-files.ts';

/** Registers these cases in the calling test file, on that file's stack. */
export function smtpDisabledCases(): void {
  describe('SMTP_ENABLED=false', () => {
    test('every email flow reports "skipped", logs the message, and nothing reaches the SMTP server', async ({
      stack,
    }) => {
      const logger = recordingLogger();
      await using app = appFor({ ...stack.env, SMTP_ENABLED: 'false' }, { logger });
      expect(app.email.enabled).toBe(false);
      const leader = { teamName: '포커스 스터디', leaderEmail: 'minji.kim@example.com' };

      const submitted = await app.flows.submitVerificationDocument({
        ...leader,
        teamId: 'team-focus-study',
        document: {
          fileName: '사업자등록증.pdf',
          contentType: 'application/pdf',
          body: samplePdf('certificate'),
        },
      });
      const approved = await app.flows.approveVerification({ ...leader, documentKey: submitted.documentKey });
      const rejected = await app.flows.rejectVerification({
        ...leader,
        documentKey: submitted.documentKey,
        reason: '서류가 흐립니다',
      });
      const invited = await app.flows.inviteMember({
        teamId: 'team-focus-study',
        teamName: '포커스 스터디',
        inviteeEmail: 'jisu.park@example.com',
      });

      const outcomes = [submitted.notification, approved.notification, rejected.notification, invited.email];
      expect(outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
      expect(outcomes.map((o) => ('reason' in o ? o.reason : undefined))).toEqual(
        Array(4).fill('SMTP_DISABLED'),
      );
      const logged = logger.entries.filter((e) =>
        e.message.startsWith('email not sent (SMTP_ENABLED=false)'),
      );
      expect(logged.map((e) => e.details?.kind)).toEqual([
        'verification-submitted',
        'verification-approved',
        'verification-rejected',
        'team-invitation',
      ]);
      expect(logged[3]?.details?.text).toContain(invited.acceptUrl);

      // Storage is unaffected by the SMTP switch.
      expect(await stack.s3.inspect.exists(stack.s3.bucket, submitted.documentKey)).toBe(true);
      // Each send would have awaited the server's 250 (stored first), so nothing here means nothing sent;
      // the short wait catches anything that might still be on its way.
      expect(stack.mail.messages()).toEqual([]);
      await stack.mail.expectNone({ timeout: 250 });
    });
  });
}
