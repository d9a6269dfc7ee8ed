// The console's version routes on a versioned stack, without a browser: a bucket's versioning and
// lifecycle, every version of one key (and only that key), deleted keys, a version's bytes, and
// restore — what the S3 API says afterwards is the proof.
import { request } from 'node:http';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BucketSettings } from '../../stack/console/s3-access.ts';
import type { DeletedListing, KeyVersions } from '../../stack/console/s3-versions.ts';
import { createVersionAccess } from '../../stack/console/s3-versions.ts';
import { BUCKET, type ComposedStack, composeStack } from './compose.ts';

let stack: ComposedStack;
let root: S3Client;
let base: string;

const api = (path: string, init?: RequestInit) => fetch(`${base}/api/stack/buckets/${path}`, init);
const enc = encodeURIComponent;

interface ApiError {
  error: { code: string; s3Code?: string };
}
const errorOf = async (res: Response) => ((await res.json()) as ApiError).error;

async function put(Key: string, Body: string, ContentType = 'text/plain'): Promise<string> {
  const out = await root.send(
    new PutObjectCommand({ Bucket: BUCKET, Key, Body, ContentType, Metadata: { note: Body } }),
  );
  return out.VersionId!;
}

async function del(Key: string): Promise<string> {
  return (await root.send(new DeleteObjectCommand({ Bucket: BUCKET, Key }))).VersionId!;
}

async function versionsOf(key: string): Promise<KeyVersions> {
  const res = await api(`${BUCKET}/versions?key=${enc(key)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as KeyVersions;
}

async function deletedUnder(prefix: string): Promise<string[]> {
  const res = await api(`${BUCKET}/deleted?prefix=${enc(prefix)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { objects: { key: string }[] }).objects.map((o) => o.key);
}

beforeAll(async () => {
  stack = await composeStack({ versioning: true, lifecycle: true });
  base = stack.console.url;
  root = stack.client();
});

afterAll(async () => {
  root?.destroy();
  await stack?.stop();
});

describe('console: version order', () => {
  it('lists a delete marker where S3 listed it, even between versions written in the same second', async () => {
    // Put, delete, put, put: S3's order is v3, v2, marker, v1; one second holds them all, so no
    // timestamp can tell the marker's place.
    const v1 = await put('order/same-second.txt', '1');
    const marker = await del('order/same-second.txt');
    const v2 = await put('order/same-second.txt', '2');
    const v3 = await put('order/same-second.txt', '3');
    const listed = await versionsOf('order/same-second.txt');
    expect(listed.versions.map((v) => v.versionId)).toEqual([v3, v2, marker, v1]);
    expect(listed.versions.map((v) => v.deleteMarker)).toEqual([false, false, true, false]);
  });
});

describe('console: bucket versioning and lifecycle', () => {
  it("shows the bucket's versioning status and its lifecycle rules in words", async () => {
    const st = (await (await api(`${BUCKET}/settings`)).json()) as BucketSettings;
    expect(st.versioning).toEqual({ status: 'Enabled' });
    const byId = Object.fromEntries((st.lifecycle?.rules ?? []).map((r) => [r.id, r]));
    expect(byId['expire-chat-attachments']).toEqual({
      id: 'expire-chat-attachments',
      status: 'Enabled',
      filter: 'prefix chat/',
      actions: ['expire current versions 30 days after creation'],
    });
    expect(byId['expire-old-versions']?.actions).toEqual([
      'remove expired delete markers',
      'remove noncurrent versions 30 days after they become noncurrent',
    ]);
    expect(byId['abort-stale-uploads']?.filter).toBe('all objects');
    expect(JSON.parse(st.lifecycle?.json ?? '{}').Rules).toHaveLength(3);
  });

  it('says none for a bucket that never had versioning or lifecycle', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'plain-bucket' }));
    const st = (await (await api('plain-bucket/settings')).json()) as BucketSettings;
    expect(st.versioning).toBeNull();
    expect(st.lifecycle).toBeNull();
    expect(st.notes).toEqual([]);
  });
});

describe('console: versions of a key', () => {
  const key = 'docs/report.txt';
  let v1: string;
  let v2: string;
  let marker: string;

  beforeAll(async () => {
    v1 = await put(key, 'first draft');
    v2 = await put(key, 'second draft, longer');
    // Same prefix, other keys: never part of report.txt's versions.
    await put(`${key}.bak`, 'backup');
    await put('docs/report.txt/inner', 'a key below it');
    marker = await del(key);
  });

  it('lists every version and the delete marker of exactly that key, newest first', async () => {
    const got = await versionsOf(key);
    expect(got.truncated).toBe(false);
    expect(got.versions.map((v) => [v.versionId, v.isLatest, v.deleteMarker, v.size])).toEqual([
      [marker, true, true, undefined],
      [v2, false, false, 20],
      [v1, false, false, 11],
    ]);
    const head = await root.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, VersionId: v1 }));
    expect(got.versions[2]?.etag).toBe(head.ETag);
    expect(Date.parse(got.versions[0]!.lastModified!)).toBeGreaterThanOrEqual(
      Date.parse(got.versions[1]!.lastModified!),
    );
  });

  it('lists the deleted keys at a prefix level, not the live ones nor deeper ones', async () => {
    await put('docs/deep/gone.txt', 'x');
    await del('docs/deep/gone.txt');
    const keys = await deletedUnder('docs/');
    expect(keys).toContain(key);
    expect(keys).not.toContain(`${key}.bak`);
    expect(keys).not.toContain('docs/deep/gone.txt');
    expect(await deletedUnder('docs/deep/')).toEqual(['docs/deep/gone.txt']);
  });

  it("downloads a noncurrent version's bytes", async () => {
    const res = await api(`${BUCKET}/download?key=${enc(key)}&versionId=${enc(v1)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect(await res.text()).toBe('first draft');
    const marked = await api(`${BUCKET}/download?key=${enc(key)}&versionId=${enc(marker)}`);
    expect(marked.status).toBe(405);
    expect((await errorOf(marked)).s3Code).toBe('MethodNotAllowed');
  });

  it('restores an old version as the current one, with its metadata, as a new version', async () => {
    const res = await api(`${BUCKET}/restore?key=${enc(key)}&versionId=${enc(v1)}`, { method: 'POST' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { versionId: string; restoredFrom: string; etag: string };
    expect(body.restoredFrom).toBe(v1);
    expect([v1, v2, marker]).not.toContain(body.versionId);

    const current = await root.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(current.VersionId).toBe(body.versionId);
    expect(await current.Body!.transformToString()).toBe('first draft');
    expect(current.Metadata).toEqual({ note: 'first draft' });
    expect(current.ContentType).toBe('text/plain');
    expect(current.ETag).toBe(body.etag);

    const after = await versionsOf(key);
    expect(after.versions.map((v) => [v.versionId, v.isLatest, v.deleteMarker])).toEqual([
      [body.versionId, true, false],
      [marker, false, true],
      [v2, false, false],
      [v1, false, false],
    ]);
    expect(await deletedUnder('docs/')).not.toContain(key);
  });

  it('refuses to restore a delete marker, in S3 terms', async () => {
    const res = await api(`${BUCKET}/restore?key=${enc(key)}&versionId=${enc(marker)}`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'S3_ERROR', s3Code: 'InvalidRequest' });
  });

  it('pages through ListObjectVersions with the key and version-id markers', async () => {
    const paged = 'paging/k.txt';
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await put(paged, `v${i}`));
    ids.push(await del(paged));
    for (let i = 0; i < 3; i++) {
      await put(`paging/a${i}.txt`, 'x');
      await del(`paging/a${i}.txt`);
    }
    await put(`${paged}.later`, 'x');
    const small = createVersionAccess(root, (run) => run(), { pageSize: 2 });
    const all = await small.versions(BUCKET, paged);
    expect(all.versions.map((v) => v.versionId)).toEqual(ids.reverse());
    expect(all.truncated).toBe(false);
    const deleted = await small.deleted(BUCKET, 'paging/');
    expect(deleted.objects.map((o) => o.key)).toEqual([
      'paging/a0.txt',
      'paging/a1.txt',
      'paging/a2.txt',
      paged,
    ]);
    // 3 x (version + marker) + 6 + 1 = 13 entries: 7 pages of 2, more than one call reads.
    const tiny = createVersionAccess(root, (run) => run(), { pageSize: 1 });
    const first = await tiny.deleted(BUCKET, 'paging/');
    expect(first.truncated).toBe(true);
    expect(first.nextKeyMarker).toBeDefined();
    const rest = (await (
      await api(
        `${BUCKET}/deleted?prefix=paging/&keyMarker=${enc(first.nextKeyMarker!)}&versionIdMarker=${enc(first.nextVersionIdMarker!)}`,
      )
    ).json()) as DeletedListing;
    expect([...first.objects, ...rest.objects].map((o) => o.key)).toEqual(deleted.objects.map((o) => o.key));
  });
});

describe('console: version routes validate their input', () => {
  function post(path: string, headers: Record<string, string>) {
    return new Promise<number>((resolve, reject) => {
      const req = request(`${base}${path}`, { method: 'POST', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it.each([
    ['versions', 'GET', `${BUCKET}/versions`, 'BAD_REQUEST'],
    ['restore without versionId', 'POST', `${BUCKET}/restore?key=a`, 'BAD_REQUEST'],
    ['restore with an empty versionId', 'POST', `${BUCKET}/restore?key=a&versionId=`, 'BAD_REQUEST'],
    ['a control character in versionId', 'GET', `${BUCKET}/download?key=a&versionId=%0A`, 'BAD_REQUEST'],
    ['restore without key', 'POST', `${BUCKET}/restore?versionId=x`, 'BAD_REQUEST'],
    ['a version marker alone', 'GET', `${BUCKET}/deleted?versionIdMarker=x`, 'BAD_REQUEST'],
    ['restore by GET', 'GET', `${BUCKET}/restore?key=a&versionId=x`, 'METHOD_NOT_ALLOWED'],
  ])('%s: %s %s is %s', async (_name, method, path, code) => {
    const res = await api(path, { method });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await errorOf(res)).code).toBe(code);
  });

  it('answers an unknown version or bucket in S3 terms', async () => {
    const res = await api(`${BUCKET}/restore?key=docs/report.txt&versionId=no-such-version`, {
      method: 'POST',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await errorOf(res)).s3Code).toMatch(/^(NoSuchVersion|InvalidArgument)$/);
    const missing = await api('no-such-bucket/versions?key=a');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).s3Code).toBe('NoSuchBucket');
  });

  it('refuses a cross-site restore', async () => {
    const v = await put('xsite.txt', 'keep');
    await put('xsite.txt', 'current');
    const status = await post(`/api/stack/buckets/${BUCKET}/restore?key=xsite.txt&versionId=${enc(v)}`, {
      'sec-fetch-site': 'cross-site',
    });
    expect(status).toBe(403);
    const now = await root.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'xsite.txt' }));
    expect(await now.Body!.transformToString()).toBe('current');
  });
});
