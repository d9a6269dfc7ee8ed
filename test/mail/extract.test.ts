// Links and one-time codes out of real-looking mails; attachment downloads are sanitized.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MailServer, startMailServer } from '../../stack/mail/server.ts';
import { transport } from './helpers.ts';

let mail: MailServer;
beforeAll(async () => {
  mail = await startMailServer({ ports: { api: 0 } });
});
afterAll(() => mail.stop());

it('extracts links from text and HTML and a Korean verification code', async () => {
  await transport(mail).sendMail({
    from: 'noreply@focusmate.com',
    to: 'user@example.com',
    subject: '[Focus Mate] 이메일 인증',
    text: '인증번호는 482913 입니다. 2026년 11월 25일까지 유효합니다.\n바로가기: https://app.focusmate.com/verify?token=abc&u=1.',
    html: '<p>인증 코드: <b>482913</b></p><p><a href="https://app.focusmate.com/verify?token=abc&amp;u=1">인증하기</a> · 문의 02-1234-5678</p>',
  });
  const [m] = await mail.waitFor({ subject: '이메일 인증', timeout: 2000 });
  const res = await fetch(`${mail.apiUrl}/api/v1/message/${m!.id}/extract`);
  const body = (await res.json()) as {
    Links: { URL: string; Text: string; Source: string }[];
    Codes: { Code: string }[];
  };
  expect(body.Links).toEqual([
    { URL: 'https://app.focusmate.com/verify?token=abc&u=1', Text: '인증하기', Source: 'html' },
  ]);
  expect(body.Codes.map((c) => c.Code)).toEqual(['482913']);
});

it('English code wording, OTP-Token header, and no false positives from years, phones, URLs', async () => {
  await transport(mail).sendMail({
    from: 'noreply@focusmate.com',
    to: 'user@example.com',
    subject: 'Your login',
    text: 'Use verification code 7731 to sign in. Call 555-0199 or visit https://x.test/12345678 since 2024.',
    headers: { 'OTP-Token': '"918273"; origin="https://app.focusmate.com"' },
  });
  const [m] = await mail.waitFor({ subject: 'Your login', timeout: 2000 });
  const found = await mail.extract(m!.id);
  expect(found.codes.map((c) => [c.code, c.source])).toEqual([
    ['918273', 'otp-header'],
    ['7731', 'text'],
  ]);
  expect(found.links.map((l) => l.url)).toEqual(['https://x.test/12345678']);
});

it('finds a code laid out one digit per span, not a digit-by-digit false split', async () => {
  await transport(mail).sendMail({
    from: 'noreply@focusmate.com',
    to: 'user@example.com',
    subject: 'Your sign-in code',
    html: '<p>Your verification code:</p><div><span>4</span><span>8</span><span>2</span><span>9</span><span>1</span><span>3</span></div><p>It expires in 10 minutes.</p>',
  });
  const [m] = await mail.waitFor({ subject: 'Your sign-in code', timeout: 2000 });
  const found = await mail.extract(m!.id);
  expect(found.codes).toEqual([
    { code: '482913', context: 'Your verification code: 482913 It expires in 10 minutes.', source: 'html' },
  ]);
});

it('serves a hostile attachment name as a plain file name, with Content-Disposition: attachment', async () => {
  await transport(mail).sendMail({
    from: 'a@example.com',
    to: 'b@example.com',
    subject: 'hostile names',
    text: 'x',
    attachments: [
      { filename: '../../etc/passwd', content: 'root:x:0:0' },
      {
        filename: '..\\..\\windows\\evil".html',
        content: '<script>alert(1)</script>',
        contentType: 'text/html',
      },
      { content: 'img', contentType: 'image/png', cid: '../../../cid"\r\nX-Injected: 1' },
    ],
  });
  const [m] = await mail.waitFor({ subject: 'hostile names', timeout: 2000 });
  const parts = m!.attachments;
  const get = (i: number) => fetch(`${mail.apiUrl}/api/v1/message/${m!.id}/part/${parts[i]!.partId}`);
  const passwd = await get(0);
  expect(passwd.headers.get('content-disposition')).toBe(
    `attachment; filename="passwd"; filename*=UTF-8''passwd`,
  );
  expect(await passwd.text()).toBe('root:x:0:0');
  const html = await get(1);
  expect(html.headers.get('content-type')).toBe('application/octet-stream');
  expect(html.headers.get('content-disposition')).toMatch(/^attachment; filename="evil_\.html"/);
  expect(html.headers.get('x-content-type-options')).toBe('nosniff');
  const cid = await get(2);
  expect(cid.headers.get('x-injected')).toBeNull();
  expect(cid.headers.get('content-disposition')).toMatch(/^attachment; filename="[^/\\"]+"/);
  expect(cid.headers.get('content-type')).toBe('image/png');
  expect((await fetch(`${mail.apiUrl}/api/v1/message/${m!.id}/part/..%2F..%2Fetc`)).status).toBe(404);
});

it('serves the CA PEM', async () => {
  const res = await fetch(`${mail.apiUrl}/api/v1/ca.pem`);
  expect(await res.text()).toBe(mail.caCertPem);
});
