// Waiting without polling (handle and /api/v1/wait) and isolation scopes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailError } from '../../stack/mail/errors.ts';
import { type MailServer, startMailServer } from '../../stack/mail/server.ts';
import { transport } from './helpers.ts';

let mail: MailServer;
beforeAll(async () => {
  mail = await startMailServer({ ports: { api: 0 } });
});
afterAll(() => mail.stop());

const send = (o: { to?: string; subject: string; user?: string; headers?: Record<string, string> }) =>
  transport(mail, o.user ? { auth: { user: o.user, pass: 'x' } } : {}).sendMail({
    from: 'noreply@focusmate.com',
    to: o.to ?? 'b@example.com',
    subject: o.subject,
    text: 'x',
    headers: o.headers,
  });

describe('handle.waitFor', () => {
  it('resolves on arrival, not on a poll tick', async () => {
    const waiting = mail.waitFor({ subject: 'arrives-later', timeout: 3000 });
    const sent = send({ subject: 'arrives-later' });
    const [m] = await waiting;
    await sent;
    expect(m!.subject).toBe('arrives-later');
  });

  it('counts messages that arrived before the call when afterSeq allows', async () => {
    const seq = mail.seq;
    await send({ subject: 'early-1' });
    await send({ subject: 'early-2' });
    const got = await mail.waitFor({ subject: 'early-', afterSeq: seq, count: 2, timeout: 1000 });
    expect(got.map((m) => m.subject)).toEqual(['early-1', 'early-2']);
  });

  it('times out with a typed error listing what did arrive', async () => {
    const seq = mail.seq;
    await send({ subject: 'only-one' });
    const err = await mail
      .waitFor({ subject: 'only-one', afterSeq: seq, count: 2, timeout: 100 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(MailError);
    expect(err.code).toBe('WAIT_TIMEOUT');
    expect((err.details.arrived as { subject: string }[]).map((m) => m.subject)).toEqual(['only-one']);
  });

  it('can be aborted with a signal', async () => {
    const ac = new AbortController();
    const p = mail.waitFor({ subject: 'never', timeout: 5000, signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'WAIT_ABORTED' });
  });

  it('expectNone resolves when nothing matching arrives, rejects the moment something does', async () => {
    await mail.expectNone({ subject: 'nothing-here', afterSeq: mail.seq, timeout: 50 });
    const p = expect(
      mail.expectNone({ subject: 'surprise', afterSeq: mail.seq, timeout: 3000 }),
    ).rejects.toMatchObject({
      code: 'UNEXPECTED_MESSAGE',
    });
    await send({ subject: 'surprise' });
    await p;
  });
});

describe('GET /api/v1/wait', () => {
  const wait = async (params: Record<string, string>) => {
    const res = await fetch(`${mail.apiUrl}/api/v1/wait?${new URLSearchParams(params)}`);
    return {
      status: res.status,
      body: (await res.json()) as {
        count: number;
        seq: number;
        error?: string;
        messages: { Subject: string; Seq: number }[];
      },
    };
  };

  it('answers as soon as the message is stored', async () => {
    const after = String(mail.seq);
    const pending = wait({ query: 'subject:api-wait', after, timeout: '3000' });
    await send({ subject: 'api-wait' });
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.body.messages.map((m) => m.Subject)).toEqual(['api-wait']);
    expect(r.body.messages[0]!.Seq).toBeGreaterThan(Number(after));
  });

  it('408 with what arrived on timeout', async () => {
    const after = String(mail.seq);
    await send({ subject: 'api-partial' });
    const r = await wait({ query: 'subject:api-partial', after, count: '3', timeout: '100' });
    expect(r.status).toBe(408);
    expect(r.body).toMatchObject({ error: 'WAIT_TIMEOUT', count: 1 });
  });

  it('none=1: 200 when nothing arrives in time, 409 when something does', async () => {
    expect((await wait({ query: 'subject:api-none', none: '1', timeout: '50' })).status).toBe(200);
    // An explicit baseline: whether the request or the message reaches the server first, the
    // message is after `after` and so must be reported.
    const pending = wait({ query: 'subject:api-none', none: '1', after: String(mail.seq), timeout: '3000' });
    await send({ subject: 'api-none' });
    const r = await pending;
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('UNEXPECTED_MESSAGE');
  });

  it('rejects a bad parameter with 400', async () => {
    const res = await fetch(`${mail.apiUrl}/api/v1/wait?count=-1`);
    expect(res.status).toBe(400);
  });
});

describe('scopes', () => {
  it('from the SMTP username, a plus-address tag and the X-Test-Scope header', async () => {
    await send({ subject: 'scope-user', user: 'test-a' });
    await send({ subject: 'scope-plus', to: 'leader+t42@example.com' });
    await send({ subject: 'scope-header', headers: { 'X-Test-Scope': 'suite-9' } });
    expect((await mail.waitFor({ scope: 'test-a', timeout: 1000 }))[0]!.subject).toBe('scope-user');
    expect((await mail.waitFor({ scope: 't42', timeout: 1000 }))[0]!.subject).toBe('scope-plus');
    expect((await mail.waitFor({ scope: 'suite-9', timeout: 1000 }))[0]!.subject).toBe('scope-header');
  });

  it('limit list, search, latest, wait and delete through the API', async () => {
    await send({ subject: 'iso-1', to: 'u+iso@example.com' });
    await send({ subject: 'iso-2', to: 'u+iso@example.com' });
    await send({ subject: 'iso-other', to: 'u+other@example.com' });
    await mail.waitFor({ scope: 'other', timeout: 1000 });
    // biome-ignore lint/suspicious/noExplicitAny: JSON bodies checked field by field below
    const json = async (path: string): Promise<any> => (await fetch(`${mail.apiUrl}${path}`)).json();
    const list = await json('/api/v1/messages?scope=iso');
    expect(list.total).toBe(2);
    expect(list.messages.map((m: { Subject: string }) => m.Subject)).toEqual(['iso-2', 'iso-1']);
    const search = await json('/api/v1/search?scope=iso&query=iso');
    expect(search.messages_count).toBe(2);
    const latest = await json('/api/v1/message/latest?scope=iso');
    expect(latest.Subject).toBe('iso-2');
    const w = await json('/api/v1/wait?scope=iso&count=2&timeout=100');
    expect(w.count).toBe(2);
    expect((await fetch(`${mail.apiUrl}/api/v1/messages?scope=iso`, { method: 'DELETE' })).status).toBe(200);
    expect(mail.messages({ scope: 'iso' })).toHaveLength(0);
    expect(mail.messages({ scope: 'other' })).toHaveLength(1);
  });
});
