// `latest` with ?query= (Mailpit) and ?scope= (ours) on the message and every sub-resource.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MailServer, startMailServer } from '../../stack/mail/server.ts';
import { transport } from './helpers.ts';

let mail: MailServer;
beforeAll(async () => {
  mail = await startMailServer({ ports: { api: 0 }, auth: 'accept-any' });
  const smtp = transport(mail);
  await smtp.sendMail({
    from: 'a@example.com',
    to: 'lq+red@example.com',
    subject: 'lq older match',
    text: 'older',
    attachments: [{ filename: 'older.txt', content: 'older part' }],
  });
  await smtp.sendMail({
    from: 'a@example.com',
    to: 'lq+blue@example.com',
    subject: 'lq newest',
    text: 'newest',
  });
  await mail.waitFor({ subject: 'lq newest', timeout: 2000 });
});
afterAll(() => mail?.stop());

const get = (path: string) => fetch(`${mail.apiUrl}${path}`);
const q = (query: string) => `query=${encodeURIComponent(query)}`;

it('answers the newest message matching the search, on every sub-resource', async () => {
  const plain = (await (await get('/api/v1/message/latest')).json()) as { Subject: string };
  expect(plain.Subject).toBe('lq newest');
  const found = (await (await get(`/api/v1/message/latest?${q('subject:"lq older"')}`)).json()) as {
    ID: string;
    Subject: string;
    Attachments: { PartID: string }[];
  };
  expect(found.Subject).toBe('lq older match');
  expect(await (await get(`/api/v1/message/latest/raw?${q('older')}`)).text()).toMatch(
    /^Subject: lq older match/m,
  );
  expect(
    ((await (await get(`/api/v1/message/latest/headers?${q('older')}`)).json()) as { Subject: string[] })
      .Subject,
  ).toEqual(['lq older match']);
  const part = await get(
    `/api/v1/message/latest/part/${found.Attachments[0]!.PartID}?${q('has:attachment')}`,
  );
  expect(await part.text()).toBe('older part');
  expect(
    ((await (await get(`/api/v1/message/latest/extract?${q('older')}`)).json()) as { ID: string }).ID,
  ).toBe(found.ID);
  expect(await (await get(`/view/latest.txt?${q('tag:red')}`)).text()).toContain('older');
});

it('a search or scope nothing matches is 404; an empty query is the plain latest', async () => {
  const none = await get(`/api/v1/message/latest?${q('subject:nothing-like-this')}`);
  expect(none.status).toBe(404);
  expect((await get(`/api/v1/message/latest/raw?scope=red&${q('newest')}`)).status).toBe(404);
  expect(
    ((await (await get('/api/v1/message/latest?query=%20')).json()) as { Subject: string }).Subject,
  ).toBe('lq newest');
  expect(
    ((await (await get(`/api/v1/message/latest?scope=red`)).json()) as { Subject: string }).Subject,
  ).toBe('lq older match');
});
