// Team invitation end to end: the invitee gets an email whose link (in the text and the HTML
// part alike) carries the token the app keeps; nothing is stored in the bucket.
import { describe } from 'vitest';
import { expect, test } from '../../../stack/testing/fixture.ts';
import { appFor, expectSentAsApp } from '../support/app.ts';

const INVITEE = 'jisu.park@example.com';

/** Registers these cases in the calling test file, on that file's stack. */
export function invitationCases(): void {
  describe('team invitation', () => {
    test('the invitee receives the accept link over STARTTLS with AUTH', async ({ stack }) => {
      await using app = appFor(stack.env);
      const expiresAt = new Date('2026-03-14T09:00:00.000Z');

      const invitation = await app.flows.inviteMember({
        teamId: 'team-dawn-coding',
        teamName: '새벽 코딩 클럽',
        inviteeEmail: INVITEE,
        inviterName: '김민지',
        expiresAt,
      });

      // APP_PUBLIC_BASE_URL is not in .env.local: the app's default base applies.
      expect(invitation.acceptUrl).toBe(
        `http://localhost:3000/invitations/accept?token=${encodeURIComponent(invitation.token)}`,
      );
      expect(invitation.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(invitation.email.status).toBe('sent');

      const subject = "[Focus Mate] 김민지님이 '새벽 코딩 클럽' 팀에 초대했습니다";
      await expect(stack).toHaveReceived({ to: INVITEE, subject });
      const [mail] = stack.mail.messages();
      expect(stack.mail.messages()).toHaveLength(1);
      expect(mail!.subject).toBe(subject);
      expectSentAsApp(mail!, stack.env, [INVITEE]);

      const full = await stack.mail.message(mail!.id);
      expect(full.text).toContain(`아래 링크를 열어 초대를 수락해 주세요:\n${invitation.acceptUrl}`);
      expect(full.text).toContain('이 초대는 2026-03-14T09:00:00.000Z까지 유효합니다.');
      expect(full.html).toContain('초대 수락하기 (Accept invitation)');

      const { links } = await stack.mail.extract(mail!.id);
      const button = links.find((l) => l.source === 'html' && l.text.includes('초대 수락하기'));
      expect(button?.url).toBe(invitation.acceptUrl);
      // One link and one only: the same URL in the button and in the text part.
      expect(links.map((l) => l.url)).toEqual([invitation.acceptUrl]);
      expect(new URL(button!.url).searchParams.get('token')).toBe(invitation.token);

      expect(await stack.s3.inspect.listObjects(stack.s3.bucket)).toEqual([]);
    });

    test('a second invitation gets its own token; each invitee sees only their link', async ({ stack }) => {
      await using app = appFor(stack.env);
      const team = { teamId: 'team-dawn-coding', teamName: '새벽 코딩 클럽' };

      const first = await app.flows.inviteMember({ ...team, inviteeEmail: 'seoyeon.lee@example.com' });
      const second = await app.flows.inviteMember({ ...team, inviteeEmail: 'hyunwoo.choi@example.com' });

      expect(first.token).not.toBe(second.token);
      const [a] = await stack.mail.waitFor({ to: 'seoyeon.lee@example.com' });
      const [b] = await stack.mail.waitFor({ to: 'hyunwoo.choi@example.com' });
      expect(a!.subject).toBe("[Focus Mate] '새벽 코딩 클럽' 팀에 초대했습니다");
      expect(a!.session.rcptTo).toEqual(['seoyeon.lee@example.com']);
      expect(b!.session.rcptTo).toEqual(['hyunwoo.choi@example.com']);
      const linksA = (await stack.mail.extract(a!.id)).links.map((l) => l.url);
      const linksB = (await stack.mail.extract(b!.id)).links.map((l) => l.url);
      expect(linksA).toContain(first.acceptUrl);
      expect(linksA).not.toContain(second.acceptUrl);
      expect(linksB).toContain(second.acceptUrl);
    });
  });
}
