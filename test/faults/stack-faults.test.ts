// Faults on the whole stack: the app (loadSettings(stack.env) → createApp) against stack.faults,
// the console's /api/stack/faults, rules given at start (as dev:stack passes its flags), the SMTP
// profile chosen for the stack, and reset() clearing the rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp, EmailError, loadSettings, silentLogger } from '../../src/index.ts';
import { runDevStack } from '../../stack/cli/dev-stack.ts';
import { REPO_ENV_FILE, type Stack, startStack } from '../../stack/stack.ts';
import { CONTENT } from './mail-app.ts';

let stack: Stack;
let app: App;

function appFor(env: Record<string, string>): App {
  return createApp(loadSettings(env), {
    logger: silentLogger,
    email: {
      retry: { attempts: 3, backoffMs: 10 },
      timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 5000 },
    },
  });
}

beforeAll(async () => {
  stack = await startStack({ smtpProfile: 'ses', faults: ['smtp:EHLO=delay:1:id=initial'] });
  app = appFor(stack.env);
});
afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

describe('stack.faults with the app', () => {
  it("the app's S3 storage gets through SlowDown on its first two PutObject attempts", async () => {
    stack.faults.add('s3:PutObject=503:SlowDown:first=2');
    const seen: { status: number; fault?: string }[] = [];
    const off = stack.engine.onRequest?.((e) => {
      if (e.operation === 'PutObject') seen.push({ status: e.status, fault: e.fault?.action });
    });
    try {
      await expect(
        app.storage.put('users/1/profile/a.png', Buffer.from('png'), { contentType: 'image/png' }),
      ).resolves.toMatchObject({ key: 'users/1/profile/a.png' });
    } finally {
      off?.();
    }
    expect(seen).toEqual([
      { status: 503, fault: 'error' },
      { status: 503, fault: 'error' },
      { status: 200, fault: undefined },
    ]);
  });

  it("the app's email service retries a 421 on DATA; the SES profile accepts the env's own sender", async () => {
    stack.faults.add({ match: { stage: 'DATA' }, action: { type: 'error', code: 421 }, first: 1 });
    await expect(app.email.send('member@example.com', CONTENT)).resolves.toMatchObject({
      status: 'sent',
      attempts: 2,
    });
    const other = appFor({ ...stack.env, SMTP_FROM_EMAIL: 'noreply@elsewhere.example' });
    try {
      const err = await other.email.send('member@example.com', CONTENT).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EmailError);
      expect((err as EmailError).response).toMatch(/^554 Message rejected: Email address is not verified\./);
    } finally {
      await other.close();
    }
  });

  it('lists both servers, removes by id, and reset() clears everything', async () => {
    const ids = [
      stack.faults.add({ action: { type: 'delay', ms: 1 } }),
      stack.faults.add({ target: 'smtp', match: { stage: 'RCPT' }, action: { type: 'drop' } }),
    ];
    const listed = stack.faults.list();
    expect(listed.filter((r) => ids.includes(r.id)).map((r) => r.target)).toEqual(['s3', 'smtp']);
    expect(listed.some((r) => r.id === 'initial' && r.target === 'smtp' && r.applied > 0)).toBe(true);
    expect(stack.faults.remove(ids[1] as string)).toBe(true);
    expect(stack.faults.remove(ids[1] as string)).toBe(false);
    expect(() =>
      stack.faults.add({ id: ids[0], target: 'smtp', match: { stage: 'MAIL' }, action: { type: 'drop' } }),
    ).toThrow(/already exists/);
    await stack.reset();
    expect(stack.faults.list()).toEqual([]);
  });
});

describe('console: /api/stack/faults', () => {
  const api = (path = '', init: RequestInit = {}) =>
    fetch(`${stack.consoleUrl}/api/stack/faults${path}`, init);
  const post = (body: unknown) =>
    api('', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('adds (object or compact), lists, removes one and clears', async () => {
    const a = await post({ rule: 's3:GetObject=500:every=2' });
    expect(a.status).toBe(201);
    const { id: s3Id, rule } = (await a.json()) as { id: string; rule: { target: string; every: number } };
    expect(rule).toMatchObject({ target: 's3', every: 2, status: 'active', matched: 0 });
    const b = await post({
      target: 'smtp',
      match: { stage: 'connect' },
      action: { type: 'no-response' },
      ttlMs: 60_000,
    });
    expect(b.status).toBe(201);
    const c = await post('smtp:RCPT=550:5.1.1:to=ghost@*');
    expect(c.status).toBe(201);

    const listed = (await (await api()).json()) as { rules: { id: string; target: string }[] };
    expect(listed.rules.map((r) => r.target)).toEqual(['s3', 'smtp', 'smtp']);
    const smtpOnly = (await (await api('?target=smtp')).json()) as { rules: unknown[] };
    expect(smtpOnly.rules).toHaveLength(2);

    // The rule acts on the S3 API: the app's second read meets a 500 and its SDK retries it.
    await app.storage.put('users/1/profile/b.png', Buffer.from('x'), { contentType: 'image/png' });
    for (let i = 0; i < 2; i++) (await app.storage.get('users/1/profile/b.png')).body.resume();
    const after = (await (await api('?target=s3')).json()) as {
      rules: { matched: number; applied: number }[];
    };
    expect(after.rules[0]).toMatchObject({ matched: 3, applied: 1 });

    expect((await api(`/${s3Id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api(`/${s3Id}`, { method: 'DELETE' })).status).toBe(404);
    expect(await (await api('?target=smtp', { method: 'DELETE' })).json()).toEqual({ removed: 2 });
    expect(((await (await api()).json()) as { rules: unknown[] }).rules).toEqual([]);
  });

  it('answers a bad rule with 400 and the reason; refuses cross-site writes', async () => {
    const bad = await post({ rule: 's3:PutObjects=503' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/PutObjects/);
    const notJson = await api('', { method: 'POST', body: 'nope' });
    expect(notJson.status).toBe(400);
    await notJson.arrayBuffer();
    const cross = await api('', {
      method: 'DELETE',
      headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(cross.status).toBe(403);
    await cross.arrayBuffer();
  });
});

describe('dev:stack', () => {
  it('--fault and --smtp-profile reach the running stack', async () => {
    const stop = new AbortController();
    const lines: string[] = [];
    let started: Stack | undefined;
    const ports = ['--s3-port', '0', '--smtp-port', '0', '--smtps-port', '0', '--console-port', '0'];
    const exit = runDevStack(
      [
        ...ports,
        '--ephemeral',
        '--app-env',
        REPO_ENV_FILE,
        '--fault',
        's3:PutObject=503:SlowDown:first=2',
        '--smtp-profile',
        'gmail',
      ],
      {},
      stack.caFile.replace(/\/[^/]+$/, ''),
      {
        log: (l) => lines.push(l),
        error: (l) => lines.push(l),
        stop: stop.signal,
        onReady: (s) => {
          started = s;
          stop.abort('test');
        },
      },
    );
    expect(await exit).toBe(0);
    expect(started?.faults.list()).toMatchObject([
      {
        target: 's3',
        match: { operation: 'PutObject' },
        action: { type: 'error', code: 'SlowDown', status: 503 },
        first: 2,
      },
    ]);
  });
});
