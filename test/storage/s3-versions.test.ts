// S3Storage.listVersions / restoreVersion against the embedded S3 server: a versioned bucket
// seeded as the guide seeds it, the guide's least-privilege app user, and that user with the
// two version actions added (s3:ListBucketVersions, s3:GetObjectVersion).
import { randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Storage } from '../../src/storage/s3-storage.ts';
import { storageFailure } from '../contract/storage-contract.ts';
import { readAll } from '../helpers/streams.ts';
import type { AccessStack } from '../s3/access/harness.ts';
import { APP, RESTORER, ROOT, startVersionedBucket, type VersionedBucket } from './versioned-bucket.ts';

let bucket: VersionedBucket;
let stack: AccessStack;
let storage: S3Storage;
let guideUser: S3Storage;

beforeAll(async () => {
  bucket = await startVersionedBucket();
  stack = bucket.stack;
  storage = bucket.storageAs(RESTORER);
  guideUser = bucket.storageAs(APP);
});

afterAll(async () => {
  await bucket?.[Symbol.asyncDispose]();
});

const prefix = () => `teams/t-${randomUUID()}/profile/`;
const text = async (key: string) => (await readAll((await storage.get(key)).body)).toString();
const shape = (entries: { key: string; versionId: string; isLatest: boolean; deleteMarker: boolean }[]) =>
  entries.map((e) => [e.key, e.versionId, e.isLatest, e.deleteMarker]);

describe('S3Storage versions on a versioned bucket', () => {
  it('an overwrite keeps the previous version: both listed, newest first, with sizes and ETags', async () => {
    const key = `${prefix()}logo.png`;
    const v1 = await storage.put(key, Buffer.from('first image'), { contentType: 'image/png' });
    const v2 = await storage.put(key, Buffer.from('second'), { contentType: 'image/png' });
    expect(v1.versionId).toMatch(/^\S{32,}$/);
    expect(v2.versionId).toMatch(/^\S{32,}$/);
    expect(v2.versionId).not.toBe(v1.versionId);
    expect(storage.capabilities.versions).toBe(true);

    const versions = await storage.listVersions(key);
    expect(shape(versions)).toEqual([
      [key, v2.versionId, true, false],
      [key, v1.versionId, false, false],
    ]);
    expect(versions.map((v) => [v.size, v.etag])).toEqual([
      [6, v2.etag],
      [11, v1.etag],
    ]);
    expect(versions[0]!.lastModified).toBeInstanceOf(Date);
  });

  it('restores a deleted object from its version: same bytes and type, a new current version', async () => {
    const key = `${prefix()}logo.png`;
    const v1 = await storage.put(key, Buffer.from('the original'), {
      contentType: 'image/png',
      metadata: { 'team-id': 't1' },
    });
    await storage.delete(key);
    expect(await storage.exists(key)).toBe(false);
    const [marker] = await storage.listVersions(key);
    expect(marker).toMatchObject({ key, isLatest: true, deleteMarker: true, size: 0 });

    const restored = await storage.restoreVersion(key, v1.versionId!);

    expect(restored).toMatchObject({ key, size: 12, etag: v1.etag });
    expect(restored.versionId).not.toBe(v1.versionId);
    expect(await text(key)).toBe('the original');
    const info = await storage.head(key);
    expect(info.contentType).toBe('image/png');
    expect(info.metadata).toEqual({ 'team-id': 't1' });
    // S3's order within a key, newest first: the restored copy, the marker, the original.
    expect(shape(await storage.listVersions(key))).toEqual([
      [key, restored.versionId, true, false],
      [key, marker!.versionId, false, true],
      [key, v1.versionId, false, false],
    ]);
  });

  it('restores an overwritten version over the current one', async () => {
    const key = `${prefix()}logo.png`;
    const v1 = await storage.put(key, Buffer.from('one'), { contentType: 'image/png' });
    await storage.put(key, Buffer.from('two'), { contentType: 'image/png' });
    const restored = await storage.restoreVersion(key, v1.versionId!);
    expect(await text(key)).toBe('one');
    expect((await storage.listVersions(key)).map((v) => v.versionId)[0]).toBe(restored.versionId);
    expect(await storage.listVersions(key)).toHaveLength(3);
  });

  it('restoring the current version writes nothing and returns it', async () => {
    const key = `${prefix()}logo.png`;
    const v1 = await storage.put(key, Buffer.from('only'), { contentType: 'image/png' });
    expect(await storage.restoreVersion(key, v1.versionId!)).toEqual({
      key,
      size: 4,
      etag: v1.etag,
      versionId: v1.versionId,
    });
    expect(await storage.listVersions(key)).toHaveLength(1);
  });

  it('pages through versions and markers of many keys with the markers S3 returns, prefix only', async () => {
    const p = prefix();
    const paged = bucket.storageAs(RESTORER, { listPageSize: 2 });
    const expected: [string, string, boolean, boolean][] = [];
    for (const name of ['a.png', 'b.png', 'c.png']) {
      const key = `${p}${name}`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.unshift(
          (await paged.put(key, Buffer.from(`${name}${i}`), { contentType: 'image/png' })).versionId!,
        );
      const rows: [string, string, boolean, boolean][] = ids.map((id, i) => [key, id, i === 0, false]);
      if (name === 'b.png') {
        await paged.delete(key);
        const markerId = (await storage.listVersions(key))[0]!.versionId;
        rows.unshift([key, markerId, true, true]);
        rows[1]![2] = false;
      }
      expected.push(...rows);
    }
    // A sibling prefix that must not show up.
    await storage.put(`${p.slice(0, -1)}-other/x.png`, Buffer.from('x'), { contentType: 'image/png' });

    const all = await paged.listVersions(p);

    expect(shape(all)).toEqual(expected);
    const pages = stack.server
      .decisions({ limit: 100 })
      .filter((d) => d.operation === 'ListObjectVersions' && d.principal === RESTORER.arn);
    expect(pages.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses a delete marker, an unknown version and a malformed id with stable codes', async () => {
    const key = `${prefix()}logo.png`;
    await storage.put(key, Buffer.from('x'), { contentType: 'image/png' });
    await storage.delete(key);
    const [marker] = await storage.listVersions(key);
    const onMarker = await storageFailure(storage.restoreVersion(key, marker!.versionId), 'NOT_FOUND');
    expect(onMarker.message).toContain('delete marker');
    const unknown = await storageFailure(
      storage.restoreVersion(key, 'AbCdEfGhIjKlMnOpQrStUvWxYz012345'),
      'NOT_FOUND',
    );
    expect(unknown.s3Code).toBe('NoSuchVersion');
    const malformed = await storageFailure(storage.restoreVersion(key, 'abc'), 'INVALID_VERSION_ID');
    expect(malformed.httpStatus).toBe(400);
    await storageFailure(storage.restoreVersion(key, ''), 'INVALID_VERSION_ID');
    await storageFailure(storage.restoreVersion(key, 'has space'), 'INVALID_VERSION_ID');
    await storageFailure(storage.restoreVersion('../escape', 'null'), 'INVALID_KEY');
    await storageFailure(storage.listVersions('a//b'), 'INVALID_KEY');
  });

  it("the guide's policy alone may not list or read versions: ACCESS_DENIED naming the action", async () => {
    const key = `${prefix()}logo.png`;
    const v1 = await storage.put(key, Buffer.from('one'), { contentType: 'image/png' });
    await storage.put(key, Buffer.from('two'), { contentType: 'image/png' });

    const listing = await storageFailure(guideUser.listVersions(key), 'ACCESS_DENIED');
    expect(listing.message).toContain('s3:ListBucketVersions');
    expect(listing.remedy).toContain('IAM');
    const restoring = await storageFailure(guideUser.restoreVersion(key, v1.versionId!), 'ACCESS_DENIED');
    expect(restoring.message).toContain('s3:GetObjectVersion');
    expect(await text(key)).toBe('two');
  });

  it('on a suspended bucket the restored copy becomes the null version', async () => {
    const name = `suspended-${randomUUID().slice(0, 8)}`;
    await stack.root.send(new CreateBucketCommand({ Bucket: name }));
    await stack.root.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const v1 = await stack.root.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'kept' }));
    await stack.root.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Suspended' } }),
    );
    await stack.root.send(new DeleteObjectCommand({ Bucket: name, Key: 'k' }));
    const root = bucket.storageAs(ROOT, { bucket: name });
    expect(shape(await root.listVersions(''))).toEqual([
      ['k', 'null', true, true],
      ['k', v1.VersionId, false, false],
    ]);
    const restored = await root.restoreVersion('k', v1.VersionId!);
    expect(restored).toMatchObject({ key: 'k', size: 4, versionId: 'null' });
    // The null marker was replaced by the null copy.
    expect(shape(await root.listVersions(''))).toEqual([
      ['k', 'null', true, false],
      ['k', v1.VersionId, false, false],
    ]);
  });
});
