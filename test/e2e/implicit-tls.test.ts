// The guide's other Gmail mode: port 465, TLS from the first byte. With SMTP_USE_SSL=true /
// SMTP_PORT=465 in the app's env, the stack points the app at its implicit-TLS listener.
import { readEnvFile } from '../../stack/config/env-file.ts';
import { REPO_ENV_FILE } from '../../stack/stack.ts';
import { test as base, expect } from '../../stack/testing/fixture.ts';
import { appFor, expectSentAsApp } from './support/app.ts';
import { samplePdf } from './support/sample-files.ts';

const test = base.extend({
  stackOptions: [
    { env: { ...readEnvFile(REPO_ENV_FILE), SMTP_PORT: '465', SMTP_USE_SSL: 'true' } },
    { scope: 'file' },
  ],
});

test('mail goes through the implicit-TLS listener, authenticated, never downgraded', async ({ stack }) => {
  expect(stack.env.SMTP_PORT).toBe(String(stack.mail.smtpsPort));
  expect(stack.env.SMTP_USE_SSL).toBe('true');
  await using app = appFor(stack.env);
  expect(app.email.security).toBe('implicit-tls');

  const submitted = await app.flows.submitVerificationDocument({
    teamId: 'team-dawn-coding',
    teamName: '새벽 코딩 클럽',
    leaderEmail: 'donghyun.jung@example.com',
    document: { fileName: '재직 증명서.pdf', contentType: 'application/pdf', body: samplePdf('employment') },
  });
  const invited = await app.flows.inviteMember({
    teamId: 'team-dawn-coding',
    teamName: '새벽 코딩 클럽',
    inviteeEmail: 'yuna.han@example.com',
  });

  expect(submitted.notification.status).toBe('sent');
  const [notice] = await stack.mail.waitFor({ to: 'donghyun.jung@example.com' });
  const [invitation] = await stack.mail.waitFor({ to: 'yuna.han@example.com' });
  expectSentAsApp(notice!, stack.env, ['donghyun.jung@example.com'], 'implicit-tls');
  expectSentAsApp(invitation!, stack.env, ['yuna.han@example.com'], 'implicit-tls');
  expect(notice!.subject).toBe("[Focus Mate] '새벽 코딩 클럽' 팀 인증 요청이 접수되었습니다");
  expect((await stack.mail.extract(invitation!.id)).links.map((l) => l.url)).toContain(invited.acceptUrl);
  await expect(stack).toHaveStored(submitted.documentKey);
});
