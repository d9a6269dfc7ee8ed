// Fault injection in the embedded S3 server, seen through real clients on real sockets: the
// AWS SDK's retry against SlowDown, periodic InternalError, delays, requests never answered,
// dropped connections, time to live, seeded probability, and matching by principal and key.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage, StorageError } from '../../src/index.ts';
import { FaultError } from '../../stack/faults/errors.ts';
import type { RequestLogEntry } from '../../stack/s3/options.ts';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { client, ROOT } from '../s3/fixtures.ts';

const BUCKET = 'fault-bucket';
let clock = Date.now();
let s3: S3Server;
let sdk: S3Client;
let once: S3Client;

beforeAll(async () => {
  // The fault clock is the server's clock: the TTL test moves it instead of sleeping.
  s3 = await startS3Server({ identities: [ROOT], now: () => clock });
  await s3.createBucket(BUCKET);
  sdk = client(s3.url);
  once = client(s3.url, ROOT, 'us-east-1', { maxAttempts: 1 });
  for (const key of ['a.txt', 'uploads/u1/photo.png', 'uploads/u1/photo.jpg', 'other/photo.png'])
    await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `body of ${key}` }));
});

afterAll(async () => {
  sdk?.destroy();
  once?.destroy();
  await s3?.stop();
});

afterEach(() => s3.faults.clear());

/** The log entries of the requests made by `fn`. */
async function logged(fn: () => Promise<unknown>): Promise<RequestLogEntry[]> {
  const entries: RequestLogEntry[] = [];
  const off = s3.on('request', (e) => entries.push(e));
  try {
    await fn();
  } finally {
    off();
  }
  return entries;
}

const nextRequest = () =>
  new Promise<RequestLogEntry>((resolve) => {
    const off = s3.on('request', (e) => {
      off();
      resolve(e);
    });
  });

async function get(c: S3Client, key: string): Promise<number> {
  try {
    const out = await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    await out.Body?.transformToString();
    return 200;
  } catch (err) {
    return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1;
  }
}

describe('S3 faults: errors', () => {
  it("the SDK's default retry gets through a SlowDown on the first two PutObject attempts", async () => {
    const id = s3.faults.add({
      match: { operation: 'PutObject' },
      action: { type: 'error', code: 'SlowDown' },
      first: 2,
    });
    const entries = await logged(() =>
      sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'retried.txt', Body: 'made it' })),
    );
    const puts = entries.filter((e) => e.operation === 'PutObject');
    expect(puts.map((e) => e.status)).toEqual([503, 503, 200]);
    expect(puts.filter((e) => e.errorCode === 'SlowDown')).toHaveLength(2);
    expect(puts.slice(0, 2).map((e) => e.fault)).toEqual([
      { id, action: 'error' },
      { id, action: 'error' },
    ]);
    expect((await s3.getObject(BUCKET, 'retried.txt'))?.body.toString()).toBe('made it');
    expect(s3.faults.list()).toMatchObject([{ id, matched: 2, applied: 2, status: 'exhausted' }]);
  });

  it('answers the injected error as the usual S3 XML error document with its request id', async () => {
    s3.faults.add({ match: { operation: 'GetObject' }, action: { type: 'error', code: 'SlowDown' } });
    const res = await fetch(`${s3.url}/${BUCKET}/a.txt`);
    const body = await res.text();
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/xml');
    const requestId = res.headers.get('x-amz-request-id');
    expect(requestId).toMatch(/^[0-9A-F]{16}$/);
    expect(body).toContain('<Code>SlowDown</Code>');
    expect(body).toContain('<Message>Please reduce your request rate.</Message>');
    expect(body).toContain(`<Resource>/${BUCKET}/a.txt</Resource>`);
    expect(body).toContain(`<RequestId>${requestId}</RequestId>`);
    expect(body).toContain(`<HostId>${res.headers.get('x-amz-id-2')}</HostId>`);
  });

  it('a 500 InternalError on every 2nd GetObject', async () => {
    s3.faults.add({
      match: { operation: 'GetObject' },
      action: { type: 'error', code: 'InternalError' },
      every: 2,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await get(once, 'a.txt'));
    expect(statuses).toEqual([200, 500, 200, 500, 200, 500]);
    // Other operations are untouched.
    await expect(once.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'a.txt' }))).resolves.toBeTruthy();
  });

  it('a code outside the table needs a status, and gets it with its own message', async () => {
    expect(() => s3.faults.add({ action: { type: 'error', code: 'Throttling' } })).toThrow(FaultError);
    s3.faults.add({ action: { type: 'error', code: 'Throttling', status: 429, message: 'Rate exceeded' } });
    const res = await fetch(`${s3.url}/${BUCKET}/a.txt`);
    expect(res.status).toBe(429);
    expect(await res.text()).toContain('<Code>Throttling</Code><Message>Rate exceeded</Message>');
  });

  it('refuses rules that cannot match or act', () => {
    const bad = [
      { match: { operation: 'PutObjects' }, action: { type: 'drop' } },
      { action: { type: 'explode' } },
      { action: { type: 'drop' }, first: 2, every: 3 },
      { action: { type: 'drop' }, probability: 1.5 },
      { action: { type: 'delay' } },
      { action: { type: 'drop' }, colour: 'red' },
    ];
    for (const rule of bad)
      expect(() => s3.faults.add(rule as never), JSON.stringify(rule)).toThrow(FaultError);
    expect(s3.faults.list()).toEqual([]);
  });
});

describe('S3 faults: time and connections', () => {
  it('a delay holds the request at least that long, then serves it', async () => {
    s3.faults.add({ match: { operation: 'HeadObject' }, action: { type: 'delay', ms: 300 } });
    const started = performance.now();
    const [entries] = await Promise.all([
      logged(() => once.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'a.txt' }))),
    ]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    expect(entries[0]).toMatchObject({ operation: 'HeadObject', status: 200, fault: { action: 'delay' } });
    expect(entries[0]?.durationMs).toBeGreaterThanOrEqual(300);
  });

  it('a request never answered makes the app storage time out: StorageError CONNECTION_FAILED', async () => {
    s3.faults.add({ match: { operation: 'GetObject' }, action: { type: 'no-response' } });
    // S3Storage's own requestTimeoutMs only logs a warning with this SDK version (smithy's
    // requestTimeout throws only with throwOnRequestTimeout), so the client is built here.
    const timing = client(s3.url, ROOT, 'us-east-1', {
      maxAttempts: 1,
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });
    const storage = new S3Storage({ bucket: BUCKET, endpoint: s3.url, maxFileSize: 1024, client: timing });
    const closed = nextRequest();
    try {
      const err = await storage.get('a.txt').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).code).toBe('CONNECTION_FAILED');
    } finally {
      timing.destroy();
    }
    // The server logs the request once the client gave up on it.
    expect(await closed).toMatchObject({
      operation: 'GetObject',
      status: 499,
      fault: { action: 'no-response' },
    });
  });

  it('a dropped connection: the SDK retries it; without retries the app sees CONNECTION_FAILED', async () => {
    s3.faults.add({ match: { operation: 'GetObject' }, action: { type: 'drop' }, first: 1 });
    const entries = await logged(async () => expect(await get(sdk, 'a.txt')).toBe(200));
    expect(entries.map((e) => [e.status, e.fault?.action])).toEqual([
      [444, 'drop'],
      [200, undefined],
    ]);

    s3.faults.add({ match: { operation: 'GetObject' }, action: { type: 'drop' } });
    const storage = new S3Storage({
      bucket: BUCKET,
      endpoint: s3.url,
      credentials: ROOT,
      maxFileSize: 1024,
      maxAttempts: 1,
    });
    try {
      const err = await storage.get('a.txt').catch((e: unknown) => e);
      expect((err as StorageError).code).toBe('CONNECTION_FAILED');
    } finally {
      await storage.close();
    }
  });

  it('a rule expires after its time to live (on the server clock)', async () => {
    const id = s3.faults.add({ action: { type: 'error', code: 'ServiceUnavailable' }, ttlMs: 1000 });
    expect(await get(once, 'a.txt')).toBe(503);
    clock += 999;
    expect(await get(once, 'a.txt')).toBe(503);
    clock += 1;
    expect(await get(once, 'a.txt')).toBe(200);
    expect(s3.faults.list()).toMatchObject([{ id, applied: 2, status: 'expired' }]);
  });

  it('maxCount bounds how often a rule acts', async () => {
    s3.faults.add({
      match: { operation: 'GetObject' },
      action: { type: 'error', code: 'InternalError' },
      maxCount: 2,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await get(once, 'a.txt'));
    expect(statuses).toEqual([500, 500, 200, 200]);
  });

  it('stop() does not wait for a request a fault holds', async () => {
    const own = await startS3Server({ identities: [ROOT] });
    own.faults.add({ action: { type: 'no-response' } });
    const pending = fetch(`${own.url}/`).catch((e: unknown) => e);
    await new Promise<void>((resolve) => {
      const poll = () => (own.faults.list()[0]?.applied ? resolve() : setImmediate(poll));
      poll();
    });
    const started = performance.now();
    await own.stop();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('S3 faults: which requests', () => {
  it('a seeded probability replays the same sequence for the same seed', async () => {
    const run = async (seed: number) => {
      const id = s3.faults.add({
        match: { operation: 'GetObject' },
        action: { type: 'error', code: 'InternalError' },
        probability: 0.5,
        seed,
      });
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) statuses.push(await get(once, 'a.txt'));
      s3.faults.remove(id);
      return statuses;
    };
    const first = await run(42);
    expect(first).toContain(200);
    expect(first).toContain(500);
    expect(await run(42)).toEqual(first);
    expect(await run(7)).not.toEqual(first);
  });

  it('matches the principal: anonymous requests fail, signed ones do not', async () => {
    s3.faults.add({ match: { principal: 'anonymous' }, action: { type: 'error', code: 'SlowDown' } });
    const anonymous = await fetch(`${s3.url}/${BUCKET}/a.txt`);
    expect(anonymous.status).toBe(503);
    await anonymous.arrayBuffer();
    expect(await get(once, 'a.txt')).toBe(200);

    s3.faults.clear();
    s3.faults.add({ match: { principal: 'root' }, action: { type: 'error', code: 'SlowDown' } });
    expect(await get(once, 'a.txt')).toBe(503);
    // Without the fault the anonymous request gets what it always gets: AccessDenied.
    expect((await fetch(`${s3.url}/${BUCKET}/a.txt`)).status).toBe(403);
  });

  it('matches keys by glob and buckets by name', async () => {
    s3.faults.add({
      match: { bucket: BUCKET, key: 'uploads/*.png' },
      action: { type: 'error', code: 'InternalError' },
    });
    expect(await get(once, 'uploads/u1/photo.png')).toBe(500);
    expect(await get(once, 'uploads/u1/photo.jpg')).toBe(200);
    expect(await get(once, 'other/photo.png')).toBe(200);
    s3.faults.clear();
    s3.faults.add({ match: { bucket: 'another-*' }, action: { type: 'error', code: 'InternalError' } });
    expect(await get(once, 'uploads/u1/photo.png')).toBe(200);
  });

  it('list, remove and clear', () => {
    const a = s3.faults.add({ id: 'mine', action: { type: 'drop' }, description: 'cut everything' });
    const b = s3.faults.add({ action: { type: 'delay', ms: 5 } });
    expect(a).toBe('mine');
    expect(b).toMatch(/^s3-\d+$/);
    expect(() => s3.faults.add({ id: 'mine', action: { type: 'drop' } })).toThrow(/already exists/);
    expect(s3.faults.list().map((r) => [r.id, r.status, r.matched])).toEqual([
      ['mine', 'active', 0],
      [b, 'active', 0],
    ]);
    expect(s3.faults.remove('mine')).toBe(true);
    expect(s3.faults.remove('mine')).toBe(false);
    s3.faults.clear();
    expect(s3.faults.list()).toEqual([]);
  });
});
