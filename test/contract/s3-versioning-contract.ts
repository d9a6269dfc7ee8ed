// The versioning contract: versions, delete markers, restore by copy, suspended buckets and
// ListObjectVersions paging, through the real AWS SDK v3. Like the S3 contract it takes only
// an endpoint and credentials, so it runs against the embedded server and MinIO alike.
import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type ContractOptions, contractIt, type S3Target, s3Error } from './s3-contract.ts';

/** Every version and delete marker of a bucket, paged with the markers the server returns. */
async function allVersions(s3: S3Client, bucket: string, pageSize = 1000, prefix?: string) {
  const out: { key: string; versionId: string; latest: boolean; marker: boolean }[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page: ListObjectVersionsCommandOutput = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: pageSize,
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
    );
    // The SDK returns a page's Versions and DeleteMarkers as two lists, so how they were
    // interleaved is lost: per page, versions come first here (see `byKey`).
    const entries = [
      ...(page.Versions ?? []).map((v) => ({ ...v, marker: false })),
      ...(page.DeleteMarkers ?? []).map((d) => ({ ...d, marker: true })),
    ];
    for (const e of entries) {
      out.push({ key: e.Key!, versionId: e.VersionId!, latest: e.IsLatest === true, marker: e.marker });
    }
    if (!page.IsTruncated) return out;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
  throw new Error('ListObjectVersions did not finish in 100 pages');
}

/** Per key, its versions' ids and its delete markers' ids, each newest first. */
function byKey(entries: { key: string; versionId: string; marker: boolean }[]) {
  const out: Record<string, { versions: string[]; markers: string[] }> = {};
  for (const e of entries) {
    out[e.key] ??= { versions: [], markers: [] };
    const k = out[e.key]!;
    (e.marker ? k.markers : k.versions).push(e.versionId);
  }
  return out;
}

function text(body: { transformToString(): Promise<string> } | undefined): Promise<string> {
  return body!.transformToString();
}

export function s3VersioningContract(
  name: string,
  getTarget: () => S3Target,
  options: ContractOptions = {},
): void {
  const it = contractIt(name, options);

  describe(`S3 versioning contract: ${name}`, () => {
    let s3: S3Client;
    const run = `vc-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const made: string[] = [];
    let n = 0;

    async function versionedBucket(status: 'Enabled' | 'Suspended' | null = 'Enabled'): Promise<string> {
      const b = `${run}-${++n}`;
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      made.push(b);
      if (status)
        await s3.send(
          new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: status } }),
        );
      return b;
    }

    async function put(bucket: string, key: string, body: string): Promise<string | undefined> {
      return (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))).VersionId;
    }

    beforeAll(() => {
      const t = getTarget();
      s3 = new S3Client({
        endpoint: t.endpoint,
        region: t.region,
        forcePathStyle: true,
        credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
      });
    });

    afterAll(async () => {
      for (const b of made) {
        const all = await allVersions(s3, b).catch(() => []);
        for (let i = 0; i < all.length; i += 1000) {
          const Objects = all.slice(i, i + 1000).map((v) => ({ Key: v.key, VersionId: v.versionId }));
          await s3
            .send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects, Quiet: true } }))
            .catch(() => {});
        }
        await s3.send(new DeleteBucketCommand({ Bucket: b })).catch(() => {});
      }
      s3?.destroy();
    });

    it('reports no status until versioning is enabled, then Enabled and Suspended', async () => {
      const b = await versionedBucket(null);
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status).toBeUndefined();
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }),
      );
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status).toBe('Enabled');
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Suspended' } }),
      );
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status).toBe('Suspended');
    });

    it('keeps every overwritten version, readable by id, newest listed first', async () => {
      const b = await versionedBucket();
      const v1 = await put(b, 'doc.txt', 'one');
      const v2 = await put(b, 'doc.txt', 'two');
      expect(v1).toBeTruthy();
      expect(v2).toBeTruthy();
      expect(v1).not.toBe(v2);
      const current = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'doc.txt' }));
      expect(await text(current.Body)).toBe('two');
      expect(current.VersionId).toBe(v2);
      const old = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'doc.txt', VersionId: v1 }));
      expect(await text(old.Body)).toBe('one');
      expect(old.VersionId).toBe(v1);
      const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'doc.txt', VersionId: v1 }));
      expect(head.ContentLength).toBe(3);
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
      expect(listed.Versions?.map((v) => [v.VersionId, v.IsLatest, v.Size])).toEqual([
        [v2, true, 3],
        [v1, false, 3],
      ]);
      const objects = await s3.send(new ListObjectsV2Command({ Bucket: b }));
      expect(objects.Contents?.map((c) => c.Key)).toEqual(['doc.txt']);
    });

    it('hides a deleted object behind a delete marker, and removing the marker brings it back', async () => {
      const b = await versionedBucket();
      const v1 = await put(b, 'k', 'alive');
      const del = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
      expect(del.DeleteMarker).toBe(true);
      expect(del.VersionId).toBeTruthy();
      const gone = await s3Error(() => s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' })));
      expect(gone.name).toBe('NoSuchKey');
      expect(gone.$response?.headers['x-amz-delete-marker']).toBe('true');
      expect((await s3.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount).toBe(0);
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
      expect(listed.DeleteMarkers?.map((d) => [d.Key, d.VersionId, d.IsLatest])).toEqual([
        ['k', del.VersionId, true],
      ]);
      expect(listed.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([[v1, false]]);
      // Naming the marker itself is a 405, flagged as a delete marker.
      const named = await s3Error(() =>
        s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: del.VersionId })),
      );
      expect(named.$metadata.httpStatusCode).toBe(405);
      expect(named.$response?.headers['x-amz-delete-marker']).toBe('true');
      const undo = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: del.VersionId }));
      expect(undo.DeleteMarker).toBe(true);
      expect(undo.VersionId).toBe(del.VersionId);
      const back = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }));
      expect(await text(back.Body)).toBe('alive');
      expect(back.VersionId).toBe(v1);
    });

    it('restores an old version by copying it over the current one', async () => {
      const b = await versionedBucket();
      const v1 = await put(b, 'avatar.png', 'first picture');
      await put(b, 'avatar.png', 'second picture');
      const copy = await s3.send(
        new CopyObjectCommand({
          Bucket: b,
          Key: 'avatar.png',
          CopySource: `${b}/avatar.png?versionId=${v1}`,
        }),
      );
      expect(copy.CopySourceVersionId).toBe(v1);
      expect(copy.VersionId).toBeTruthy();
      const now = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'avatar.png' }));
      expect(await text(now.Body)).toBe('first picture');
      expect(now.VersionId).toBe(copy.VersionId);
      expect((await allVersions(s3, b)).length).toBe(3);
    });

    it('deletes one version for good and promotes the next newest to current', async () => {
      const b = await versionedBucket();
      const v1 = await put(b, 'k', 'a');
      const v2 = await put(b, 'k', 'b');
      const del = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: v2 }));
      expect(del.VersionId).toBe(v2);
      expect(del.DeleteMarker).toBeUndefined();
      const now = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }));
      expect(await text(now.Body)).toBe('a');
      expect(now.VersionId).toBe(v1);
      const missing = await s3Error(() =>
        s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: v2 })),
      );
      expect(missing.$metadata.httpStatusCode).toBe(404);
      expect(missing.name).toBe('NoSuchVersion');
    });

    it('writes the null version while suspended, replacing it on each write and keeping older versions', async () => {
      const b = await versionedBucket();
      const v1 = await put(b, 'k', 'versioned');
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Suspended' } }),
      );
      await put(b, 'k', 'null one');
      await put(b, 'k', 'null two');
      const listed = await allVersions(s3, b);
      expect(listed.map((v) => [v.versionId, v.latest])).toEqual([
        ['null', true],
        [v1, false],
      ]);
      const current = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }));
      expect(await text(current.Body)).toBe('null two');
      const del = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
      expect(del.DeleteMarker).toBe(true);
      expect(del.VersionId).toBe('null');
      const after = await allVersions(s3, b);
      expect(after.map((v) => [v.versionId, v.marker])).toEqual([
        [v1, false],
        ['null', true],
      ]);
    });

    it('pages ListObjectVersions with key and version-id markers, versions in order', async () => {
      const b = await versionedBucket();
      const ids: Record<string, string[]> = { a: [], b: [], c: [] };
      for (const k of ['a', 'b', 'c'])
        for (let i = 0; i < 3; i++) ids[k]!.unshift((await put(b, k, `${k}${i}`))!);
      const marker = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'b' }));
      const paged = await allVersions(s3, b, 2);
      const whole = await allVersions(s3, b);
      expect(paged.length).toBe(10);
      expect(byKey(paged)).toEqual(byKey(whole));
      expect(byKey(whole)).toEqual({
        a: { versions: ids.a, markers: [] },
        b: { versions: ids.b, markers: [marker.VersionId] },
        c: { versions: ids.c, markers: [] },
      });
      expect(whole.filter((v) => v.latest).map((v) => [v.key, v.marker])).toEqual([
        ['a', false],
        ['c', false],
        ['b', true],
      ]);
    });

    it('DeleteObjects removes named versions and adds delete markers for unnamed keys', async () => {
      const b = await versionedBucket();
      const v1 = await put(b, 'x', '1');
      const v2 = await put(b, 'x', '2');
      await put(b, 'y', 'y');
      const res = await s3.send(
        new DeleteObjectsCommand({
          Bucket: b,
          Delete: { Objects: [{ Key: 'x', VersionId: v1 }, { Key: 'y' }] },
        }),
      );
      const deleted = Object.fromEntries((res.Deleted ?? []).map((d) => [d.Key, d]));
      expect(deleted.x?.VersionId).toBe(v1);
      expect(deleted.y?.DeleteMarker).toBe(true);
      expect(deleted.y?.DeleteMarkerVersionId).toBeTruthy();
      const left = byKey(await allVersions(s3, b));
      expect(left.x).toEqual({ versions: [v2], markers: [] });
      expect(left.y).toEqual({ versions: [expect.any(String)], markers: [deleted.y!.DeleteMarkerVersionId] });
    });

    it('DeleteObjects reports a delete marker removed by its version id as a delete marker', async () => {
      const b = await versionedBucket();
      await put(b, 'y', 'y');
      const marker = (await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'y' }))).VersionId;
      const undo = await s3.send(
        new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'y', VersionId: marker }] } }),
      );
      expect(undo.Deleted?.[0]).toMatchObject({
        Key: 'y',
        VersionId: marker,
        DeleteMarker: true,
        DeleteMarkerVersionId: marker,
      });
    });

    it('refuses to delete a bucket that still holds noncurrent versions', async () => {
      const b = await versionedBucket();
      await put(b, 'k', 'v');
      await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
      expect((await s3.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount).toBe(0);
      const err = await s3Error(() => s3.send(new DeleteBucketCommand({ Bucket: b })));
      expect(err.name).toBe('BucketNotEmpty');
    });

    it('gives a completed multipart upload its own version id', async () => {
      const b = await versionedBucket();
      const before = await put(b, 'big', 'small first');
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'big' }));
      const part = await s3.send(
        new UploadPartCommand({ Bucket: b, Key: 'big', UploadId, PartNumber: 1, Body: 'only part' }),
      );
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: b,
          Key: 'big',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
      expect(done.VersionId).toBeTruthy();
      expect(done.VersionId).not.toBe(before);
      const old = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'big', VersionId: before }));
      expect(await text(old.Body)).toBe('small first');
    });

    it('tags one version without touching the others', async () => {
      const b = await versionedBucket();
      const v1 = await put(b, 't', '1');
      const v2 = await put(b, 't', '2');
      await s3.send(
        new PutObjectTaggingCommand({
          Bucket: b,
          Key: 't',
          VersionId: v1,
          Tagging: { TagSet: [{ Key: 'state', Value: 'old' }] },
        }),
      );
      const t1 = await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 't', VersionId: v1 }));
      expect(t1.TagSet).toEqual([{ Key: 'state', Value: 'old' }]);
      expect(t1.VersionId).toBe(v1);
      const t2 = await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 't', VersionId: v2 }));
      expect(t2.TagSet).toEqual([]);
    });

    it('refuses a malformed version id and an unknown one as AWS does', async () => {
      const b = await versionedBucket();
      await put(b, 'k', 'v');
      const bad = await s3Error(() =>
        s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: 'abc' })),
      );
      expect(bad.$metadata.httpStatusCode).toBe(400);
      expect(bad.name).toBe('InvalidArgument');
    });
  });
}
