// The S3 contract: what the app and its tools rely on, asserted through the real AWS SDK v3
// (default checksum settings), lib-storage and the presigner. It takes only an endpoint and
// credentials, so the same suite runs against the embedded server and MinIO.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  type ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it as vitestIt } from 'vitest';

export interface S3Target {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Runs `fn`, expecting an S3 error; returns it for inspection. */
export async function s3Error(fn: () => Promise<unknown>): Promise<S3ServiceException & { Code?: string }> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof S3ServiceException) return err as S3ServiceException & { Code?: string };
    throw err;
  }
  throw new Error('expected an S3 error, got success');
}

function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2_654_435_761;
  for (let i = 0; i < n; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export interface ContractOptions {
  /**
   * Cases this engine is known to fail, by exact test title, each with the reason: where the
   * engine departs from AWS's documented behaviour. The emulator follows AWS; skips are for
   * reference engines only, and each one is printed in the run as a skipped test.
   */
  skip?: Record<string, string>;
}

/** `it` that skips, with its reason in the title, the cases `options.skip` names for this engine. */
export function contractIt(name: string, options: ContractOptions) {
  const skip = options.skip ?? {};
  return (title: string, fn: () => Promise<void>, timeout?: number) => {
    const reason = skip[title];
    if (reason) vitestIt.skip(`${title} — skipped on ${name}: ${reason}`, fn);
    else vitestIt(title, fn, timeout);
  };
}

export function s3Contract(name: string, getTarget: () => S3Target, options: ContractOptions = {}): void {
  const it = contractIt(name, options);
  describe(`S3 contract: ${name}`, () => {
    let s3: S3Client;
    const run = `ct-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const bucket = `${run}-main`;
    const made: string[] = [];

    async function makeBucket(b: string): Promise<void> {
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      made.push(b);
    }

    async function emptyAndDelete(b: string): Promise<void> {
      for (;;) {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: b }));
        const keys = (page.Contents ?? []).map((c) => ({ Key: c.Key! }));
        if (!keys.length) break;
        await s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: keys, Quiet: true } }));
      }
      const ups = await s3.send(new ListMultipartUploadsCommand({ Bucket: b }));
      for (const u of ups.Uploads ?? []) {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: b, Key: u.Key!, UploadId: u.UploadId! }));
      }
      await s3.send(new DeleteBucketCommand({ Bucket: b }));
    }

    beforeAll(async () => {
      const t = getTarget();
      s3 = new S3Client({
        endpoint: t.endpoint,
        region: t.region,
        forcePathStyle: true,
        credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
      });
      await makeBucket(bucket);
    });

    afterAll(async () => {
      for (const b of made.reverse()) {
        await emptyAndDelete(b).catch(() => {});
      }
      s3?.destroy();
    });

    describe('buckets', () => {
      it('creates, heads, lists and deletes a bucket; refuses a non-empty one', async () => {
        const b = `${run}-life`;
        await makeBucket(b);
        const head = await s3.send(new HeadBucketCommand({ Bucket: b }));
        expect(head.BucketRegion).toBe(getTarget().region);
        const list = await s3.send(new ListBucketsCommand({}));
        expect(list.Buckets?.map((x) => x.Name)).toContain(b);
        expect(list.Owner?.ID).toBeTruthy();
        await s3.send(new PutObjectCommand({ Bucket: b, Key: 'x', Body: 'x' }));
        const notEmpty = await s3Error(() => s3.send(new DeleteBucketCommand({ Bucket: b })));
        expect(notEmpty.name).toBe('BucketNotEmpty');
        expect(notEmpty.$metadata.httpStatusCode).toBe(409);
        await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'x' }));
        await s3.send(new DeleteBucketCommand({ Bucket: b }));
        made.splice(made.indexOf(b), 1);
        const gone = await s3Error(() => s3.send(new HeadBucketCommand({ Bucket: b })));
        expect(gone.$metadata.httpStatusCode).toBe(404);
      });

      it('answers NoSuchBucket and InvalidBucketName', async () => {
        const e = await s3Error(() => s3.send(new ListObjectsV2Command({ Bucket: `${run}-missing` })));
        expect(e.name).toBe('NoSuchBucket');
        expect(e.$metadata.httpStatusCode).toBe(404);
        const bad = await s3Error(() => s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })));
        expect(bad.name).toBe('InvalidBucketName');
      });
    });

    describe('objects', () => {
      it('round-trips string, Buffer and stream bodies (the stream goes aws-chunked with a CRC32 trailer)', async () => {
        const buf = bytes(100_000, 1);
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'body/string.txt', Body: 'hello world' }));
        const put = await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: 'body/buffer.bin', Body: buf }),
        );
        expect(put.ETag).toBe(`"${md5(buf)}"`);
        const streamed = await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: 'body/stream.bin',
            Body: Readable.from([buf.subarray(0, 50_000), buf.subarray(50_000)]),
            ContentLength: buf.length,
          }),
        );
        expect(streamed.ETag).toBe(`"${md5(buf)}"`);
        const s = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'body/string.txt' }));
        expect(await s.Body!.transformToString()).toBe('hello world');
        for (const key of ['body/buffer.bin', 'body/stream.bin']) {
          const g = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          expect(Buffer.from(await g.Body!.transformToByteArray()).equals(buf)).toBe(true);
          expect(g.ContentLength).toBe(buf.length);
          expect(g.ETag).toBe(`"${md5(buf)}"`);
        }
      });

      it('keeps metadata and system headers', async () => {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: 'meta/doc.txt',
            Body: 'doc',
            ContentType: 'text/plain; charset=utf-8',
            ContentDisposition: 'attachment; filename="doc.txt"',
            ContentLanguage: 'ko',
            CacheControl: 'max-age=60',
            Metadata: { 'User-Id': '42', note: 'hello' },
          }),
        );
        const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta/doc.txt' }));
        expect(h.ContentType).toBe('text/plain; charset=utf-8');
        expect(h.ContentDisposition).toBe('attachment; filename="doc.txt"');
        expect(h.ContentLanguage).toBe('ko');
        expect(h.CacheControl).toBe('max-age=60');
        expect(h.Metadata).toEqual({ 'user-id': '42', note: 'hello' });
        expect(h.ContentLength).toBe(3);
        expect(h.LastModified).toBeInstanceOf(Date);
        const big = await s3Error(() =>
          s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: 'meta/big',
              Body: 'x',
              Metadata: { a: 'v'.repeat(2100) },
            }),
          ),
        );
        expect(big.name).toBe('MetadataTooLarge');
      });

      it('answers NoSuchKey, and 204 for deleting a missing key', async () => {
        const e = await s3Error(() => s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing/key' })));
        expect(e.name).toBe('NoSuchKey');
        expect(e.$metadata.httpStatusCode).toBe(404);
        const d = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'missing/key' }));
        expect(d.$metadata.httpStatusCode).toBe(204);
      });

      it('reads single ranges and refuses unsatisfiable ones', async () => {
        const buf = bytes(1000, 2);
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'range.bin', Body: buf }));
        const r = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: 'range.bin', Range: 'bytes=10-19' }),
        );
        expect(r.$metadata.httpStatusCode).toBe(206);
        expect(r.ContentRange).toBe('bytes 10-19/1000');
        expect(Buffer.from(await r.Body!.transformToByteArray()).equals(buf.subarray(10, 20))).toBe(true);
        const tail = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: 'range.bin', Range: 'bytes=-5' }),
        );
        expect(Buffer.from(await tail.Body!.transformToByteArray()).equals(buf.subarray(995))).toBe(true);
        const open = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: 'range.bin', Range: 'bytes=990-' }),
        );
        expect(open.ContentRange).toBe('bytes 990-999/1000');
        await open.Body!.transformToByteArray();
        const beyond = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: 'range.bin', Range: 'bytes=900-5000' }),
        );
        expect(beyond.ContentRange).toBe('bytes 900-999/1000');
        await beyond.Body!.transformToByteArray();
        const e = await s3Error(() =>
          s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.bin', Range: 'bytes=1000-2000' })),
        );
        expect(e.name).toBe('InvalidRange');
        expect(e.$metadata.httpStatusCode).toBe(416);
        // An open-ended range that starts past the end is unsatisfiable too, not "whole object".
        const open2 = await s3Error(() =>
          s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.bin', Range: 'bytes=1000-' })),
        );
        expect(open2.name).toBe('InvalidRange');
        expect(open2.$metadata.httpStatusCode).toBe(416);
      });

      it('evaluates conditional reads', async () => {
        const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond.txt', Body: 'v1' }));
        const etag = put.ETag!;
        const ok = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond.txt', IfMatch: etag }));
        expect(await ok.Body!.transformToString()).toBe('v1');
        const pf = await s3Error(() =>
          s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond.txt', IfMatch: '"0000"' })),
        );
        expect(pf.$metadata.httpStatusCode).toBe(412);
        expect(pf.name).toBe('PreconditionFailed');
        const nm = await s3Error(() =>
          s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond.txt', IfNoneMatch: etag })),
        );
        expect(nm.$metadata.httpStatusCode).toBe(304);
        const future = new Date(Date.now() + 3_600_000);
        const nm2 = await s3Error(() =>
          s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond.txt', IfModifiedSince: future })),
        );
        expect(nm2.$metadata.httpStatusCode).toBe(304);
        const past = new Date(Date.now() - 86_400_000);
        const us = await s3Error(() =>
          s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond.txt', IfUnmodifiedSince: past })),
        );
        expect(us.$metadata.httpStatusCode).toBe(412);
        // If-Match true wins over If-Unmodified-Since false.
        const both = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: 'cond.txt', IfMatch: etag, IfUnmodifiedSince: past }),
        );
        expect(both.$metadata.httpStatusCode).toBe(200);
        await both.Body!.transformToString();
      });

      it('evaluates conditional writes', async () => {
        const first = await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: 'cw.txt', Body: 'one', IfNoneMatch: '*' }),
        );
        const again = await s3Error(() =>
          s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cw.txt', Body: 'two', IfNoneMatch: '*' })),
        );
        expect(again.$metadata.httpStatusCode).toBe(412);
        expect(again.name).toBe('PreconditionFailed');
        const wrong = await s3Error(() =>
          s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cw.txt', Body: 'two', IfMatch: '"abc"' })),
        );
        expect(wrong.$metadata.httpStatusCode).toBe(412);
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: 'cw.txt', Body: 'two', IfMatch: first.ETag }),
        );
        const g = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cw.txt' }));
        expect(await g.Body!.transformToString()).toBe('two');
      });

      it('overrides response headers on signed GETs', async () => {
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: 'override.txt', Body: 'x', ContentType: 'text/plain' }),
        );
        const g = await s3.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: 'override.txt',
            ResponseContentType: 'application/json',
            ResponseContentDisposition: 'inline',
          }),
        );
        expect(g.ContentType).toBe('application/json');
        expect(g.ContentDisposition).toBe('inline');
        await g.Body!.transformToString();
      });
    });

    describe('checksums', () => {
      const algorithms: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'];
      for (const alg of algorithms) {
        it(`stores and returns ${alg}`, async () => {
          const key = `sum/${alg}`;
          const body = bytes(3000, alg.length);
          const put = await s3.send(
            new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ChecksumAlgorithm: alg }),
          );
          const field = `Checksum${alg}` as const;
          expect(put[field]).toBeTruthy();
          const g = await s3.send(
            new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
          );
          expect(g[field]).toBe(put[field]);
          expect(g.ChecksumType).toBe('FULL_OBJECT');
          expect(Buffer.from(await g.Body!.transformToByteArray()).equals(body)).toBe(true);
          // Never a whole-object checksum on a partial body.
          const r = await s3.send(
            new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED', Range: 'bytes=0-9' }),
          );
          expect(r[field]).toBeUndefined();
          await r.Body!.transformToByteArray();
        });
      }

      it('refuses a body that does not match its declared checksum', async () => {
        const e = await s3Error(() =>
          s3.send(
            new PutObjectCommand({ Bucket: bucket, Key: 'sum/bad', Body: 'abc', ChecksumCRC32: 'AAAAAA==' }),
          ),
        );
        expect(e.$metadata.httpStatusCode).toBe(400);
        expect(['BadDigest', 'InvalidRequest', 'XAmzContentChecksumMismatch']).toContain(e.name);
      });
    });

    describe('copy', () => {
      it('copies with COPY and REPLACE metadata directives and refuses an illegal self-copy', async () => {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: 'copy/src',
            Body: 'source',
            ContentType: 'text/x-src',
            Metadata: { a: '1' },
          }),
        );
        const c1 = await s3.send(
          new CopyObjectCommand({ Bucket: bucket, Key: 'copy/dst1', CopySource: `${bucket}/copy/src` }),
        );
        expect(c1.CopyObjectResult?.ETag).toBe(`"${md5(Buffer.from('source'))}"`);
        const h1 = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/dst1' }));
        expect(h1.ContentType).toBe('text/x-src');
        expect(h1.Metadata).toEqual({ a: '1' });
        await s3.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: 'copy/dst2',
            CopySource: `${bucket}/copy/src`,
            MetadataDirective: 'REPLACE',
            ContentType: 'text/x-new',
            Metadata: { b: '2' },
          }),
        );
        const h2 = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/dst2' }));
        expect(h2.ContentType).toBe('text/x-new');
        expect(h2.Metadata).toEqual({ b: '2' });
        const self = await s3Error(() =>
          s3.send(
            new CopyObjectCommand({ Bucket: bucket, Key: 'copy/src', CopySource: `${bucket}/copy/src` }),
          ),
        );
        expect(self.name).toBe('InvalidRequest');
        await s3.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: 'copy/src',
            CopySource: `${bucket}/copy/src`,
            MetadataDirective: 'REPLACE',
            Metadata: { c: '3' },
          }),
        );
        const cond = await s3Error(() =>
          s3.send(
            new CopyObjectCommand({
              Bucket: bucket,
              Key: 'copy/dst3',
              CopySource: `${bucket}/copy/src`,
              CopySourceIfMatch: '"nope"',
            }),
          ),
        );
        expect(cond.$metadata.httpStatusCode).toBe(412);
        const missing = await s3Error(() =>
          s3.send(
            new CopyObjectCommand({ Bucket: bucket, Key: 'copy/x', CopySource: `${bucket}/copy/none` }),
          ),
        );
        expect(missing.name).toBe('NoSuchKey');
      });

      it('copies keys that need URL encoding, between buckets', async () => {
        const other = `${run}-copy`;
        await makeBucket(other);
        const key = 'dir/ü ñ+%&=?.txt';
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'weird' }));
        await s3.send(
          new CopyObjectCommand({
            Bucket: other,
            Key: key,
            CopySource: encodeURIComponent(`${bucket}/${key}`),
          }),
        );
        const g = await s3.send(new GetObjectCommand({ Bucket: other, Key: key }));
        expect(await g.Body!.transformToString()).toBe('weird');
      });
    });

    describe('listing', () => {
      const prefix = 'list/';
      const keys = ['a.txt', 'b/1.txt', 'b/2.txt', 'c/1.txt', 'd.txt', 'e/x/y.txt', 'f.txt'].map(
        (k) => prefix + k,
      );

      beforeAll(async () => {
        for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
      });

      it('pages ListObjectsV2 with a delimiter, CommonPrefixes counting against MaxKeys', async () => {
        const seen: string[] = [];
        const prefixes: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await s3.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix,
              Delimiter: '/',
              MaxKeys: 2,
              ContinuationToken: token,
            }),
          );
          pages++;
          expect(page.KeyCount).toBe((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0));
          expect(page.KeyCount).toBeLessThanOrEqual(2);
          seen.push(...(page.Contents ?? []).map((c) => c.Key!));
          prefixes.push(...(page.CommonPrefixes ?? []).map((c) => c.Prefix!));
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        expect(seen).toEqual(['list/a.txt', 'list/d.txt', 'list/f.txt']);
        expect(prefixes).toEqual(['list/b/', 'list/c/', 'list/e/']);
        expect(pages).toBe(3);
      });

      it('honours StartAfter, fetch-owner and url encoding', async () => {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            StartAfter: 'list/c/1.txt',
            FetchOwner: true,
          }),
        );
        expect(page.Contents?.map((c) => c.Key)).toEqual(['list/d.txt', 'list/e/x/y.txt', 'list/f.txt']);
        expect(page.Contents?.[0]?.Owner?.ID).toBeTruthy();
        expect(page.Contents?.[0]?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
        expect(page.Contents?.[0]?.Size).toBe('list/d.txt'.length);
        const enc = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dir/', EncodingType: 'url' }),
        );
        // As AWS writes it (a space as +, a literal + as %2B): the same on MinIO.
        expect(enc.Contents?.map((c) => c.Key)).toContain('dir/%C3%BC+%C3%B1%2B%25%26%3D%3F.txt');
        expect(enc.Contents?.map((c) => decodeURIComponent(c.Key!.replace(/\+/g, ' ')))).toContain(
          'dir/ü ñ+%&=?.txt',
        );
      });

      it('pages ListObjects v1 with markers', async () => {
        const p1 = await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, MaxKeys: 3 }));
        expect(p1.Contents?.map((c) => c.Key)).toEqual(keys.slice(0, 3));
        expect(p1.IsTruncated).toBe(true);
        const p2 = await s3.send(
          new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Marker: 'list/b/2.txt' }),
        );
        expect(p2.Contents?.map((c) => c.Key)).toEqual(keys.slice(3));
        const d = await s3.send(
          new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Delimiter: '/', MaxKeys: 2 }),
        );
        expect(d.NextMarker).toBe('list/b/');
      });
    });

    describe('DeleteObjects and tagging', () => {
      it('deletes many keys, verbose and quiet', async () => {
        for (const k of ['del/1', 'del/2', 'del/3'])
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
        const verbose = await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: [{ Key: 'del/1' }, { Key: 'del/none' }] },
          }),
        );
        expect(verbose.Deleted?.map((d) => d.Key).sort()).toEqual(['del/1', 'del/none']);
        const quiet = await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: [{ Key: 'del/2' }, { Key: 'del/3' }], Quiet: true },
          }),
        );
        expect(quiet.Deleted ?? []).toEqual([]);
        const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'del/' }));
        expect(left.KeyCount).toBe(0);
      });

      it('tags objects by header and by ?tagging', async () => {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: 'tag.txt',
            Body: 't',
            Tagging: 'team=focus&kind=profile%20image',
          }),
        );
        const t1 = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tag.txt' }));
        // AWS does not document the order of a TagSet; compare as a set.
        expect(t1.TagSet).toEqual(
          expect.arrayContaining([
            { Key: 'team', Value: 'focus' },
            { Key: 'kind', Value: 'profile image' },
          ]),
        );
        expect(t1.TagSet).toHaveLength(2);
        const g = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'tag.txt' }));
        expect(g.TagCount).toBe(2);
        await g.Body!.transformToString();
        await s3.send(
          new PutObjectTaggingCommand({
            Bucket: bucket,
            Key: 'tag.txt',
            Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] },
          }),
        );
        expect(
          (await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tag.txt' }))).TagSet,
        ).toEqual([{ Key: 'k', Value: 'v' }]);
        const tooMany = await s3Error(() =>
          s3.send(
            new PutObjectTaggingCommand({
              Bucket: bucket,
              Key: 'tag.txt',
              Tagging: { TagSet: Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) },
            }),
          ),
        );
        expect(tooMany.$metadata.httpStatusCode).toBe(400);
        await s3.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'tag.txt' }));
        expect(
          (await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tag.txt' }))).TagSet,
        ).toEqual([]);
      });
    });

    describe('multipart', () => {
      it('uploads 20 MB with lib-storage Upload, byte for byte', async () => {
        const body = bytes(20 * 1024 * 1024, 7);
        const up = new Upload({
          client: s3,
          params: { Bucket: bucket, Key: 'mpu/big.bin', Body: Readable.from([body]) },
          partSize: 5 * 1024 * 1024,
        });
        const done = await up.done();
        expect(done.ETag).toMatch(/^"[0-9a-f]{32}-4"$/);
        const g = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: 'mpu/big.bin', ChecksumMode: 'ENABLED' }),
        );
        expect(g.ContentLength).toBe(body.length);
        const got = Buffer.from(await g.Body!.transformToByteArray());
        expect(md5(got)).toBe(md5(body));
        // lib-storage declares CRC32: the object keeps a COMPOSITE checksum of the part checksums.
        expect(g.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==-4$/);
        expect(g.ChecksumType).toBe('COMPOSITE');
        const part = await s3.send(
          new HeadObjectCommand({ Bucket: bucket, Key: 'mpu/big.bin', PartNumber: 2 }),
        );
        expect(part.ContentLength).toBe(5 * 1024 * 1024);
        expect(part.PartsCount).toBe(4);
      });

      it('computes the multipart ETag, lists parts and uploads, and enforces part rules', async () => {
        const key = 'mpu/manual.bin';
        const p1 = bytes(5 * 1024 * 1024, 11);
        const p2 = bytes(1000, 12);
        const created = await s3.send(
          new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/x-test' }),
        );
        const uploadId = created.UploadId!;
        const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
        expect(uploads.Uploads?.map((u) => u.UploadId)).toContain(uploadId);
        const bad = await s3Error(() =>
          s3.send(
            new UploadPartCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: 10001,
              Body: 'x',
            }),
          ),
        );
        expect(bad.$metadata.httpStatusCode).toBe(400);
        const r1 = await s3.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: p1 }),
        );
        const r2 = await s3.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 2, Body: p2 }),
        );
        const parts = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
        expect(parts.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
          [1, p1.length, r1.ETag],
          [2, p2.length, r2.ETag],
        ]);
        const order = await s3Error(() =>
          s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: {
                Parts: [
                  { PartNumber: 2, ETag: r2.ETag },
                  { PartNumber: 1, ETag: r1.ETag },
                ],
              },
            }),
          ),
        );
        expect(order.name).toBe('InvalidPartOrder');
        const wrongEtag = await s3Error(() =>
          s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }] },
            }),
          ),
        );
        expect(wrongEtag.name).toBe('InvalidPart');
        const done = await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: {
              Parts: [
                { PartNumber: 1, ETag: r1.ETag },
                { PartNumber: 2, ETag: r2.ETag },
              ],
            },
          }),
        );
        const expected = createHash('md5')
          .update(Buffer.concat([Buffer.from(md5(p1), 'hex'), Buffer.from(md5(p2), 'hex')]))
          .digest('hex');
        expect(done.ETag).toBe(`"${expected}-2"`);
        const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        expect(h.ContentType).toBe('application/x-test');
        expect(h.ContentLength).toBe(p1.length + p2.length);
        const gone = await s3Error(() =>
          s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId })),
        );
        expect(gone.name).toBe('NoSuchUpload');
      });

      it('keeps a FULL_OBJECT CRC32 that the SDK verifies on download', async () => {
        const key = 'mpu/full.bin';
        const p1 = bytes(5 * 1024 * 1024, 21);
        const p2 = bytes(12345, 22);
        const { UploadId } = await s3.send(
          new CreateMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            ChecksumAlgorithm: 'CRC32',
            ChecksumType: 'FULL_OBJECT',
          }),
        );
        const r1 = await s3.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            PartNumber: 1,
            Body: p1,
            ChecksumAlgorithm: 'CRC32',
          }),
        );
        const r2 = await s3.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            PartNumber: 2,
            Body: p2,
            ChecksumAlgorithm: 'CRC32',
          }),
        );
        const done = await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            MultipartUpload: {
              Parts: [
                { PartNumber: 1, ETag: r1.ETag, ChecksumCRC32: r1.ChecksumCRC32 },
                { PartNumber: 2, ETag: r2.ETag, ChecksumCRC32: r2.ChecksumCRC32 },
              ],
            },
          }),
        );
        expect(done.ChecksumType).toBe('FULL_OBJECT');
        const g = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
        expect(g.ChecksumCRC32).toBe(done.ChecksumCRC32);
        expect(g.ChecksumType).toBe('FULL_OBJECT');
        // The SDK validates the body against the full-object CRC32 while reading it.
        const body = Buffer.from(await g.Body!.transformToByteArray());
        expect(md5(body)).toBe(md5(Buffer.concat([p1, p2])));
      });

      it('refuses a small non-last part and aborts', async () => {
        const key = 'mpu/small.bin';
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
        const a = await s3.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: 'small' }),
        );
        const b = await s3.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 2, Body: 'tail' }),
        );
        const small = await s3Error(() =>
          s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId,
              MultipartUpload: {
                Parts: [
                  { PartNumber: 1, ETag: a.ETag },
                  { PartNumber: 2, ETag: b.ETag },
                ],
              },
            }),
          ),
        );
        expect(small.name).toBe('EntityTooSmall');
        const aborted = await s3.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }),
        );
        expect(aborted.$metadata.httpStatusCode).toBe(204);
        const again = await s3Error(() =>
          s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })),
        );
        expect(again.name).toBe('NoSuchUpload');
      });
    });

    describe('presigned URLs', () => {
      it('PUTs and GETs through plain fetch', async () => {
        const key = 'presigned/file name.txt';
        const putUrl = await getSignedUrl(
          s3,
          new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: 'text/plain' }),
          { expiresIn: 300 },
        );
        const put = await fetch(putUrl, {
          method: 'PUT',
          body: 'via presigned',
          headers: { 'content-type': 'text/plain' },
        });
        expect(put.status).toBe(200);
        const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
          expiresIn: 300,
        });
        const get = await fetch(getUrl);
        expect(get.status).toBe(200);
        expect(await get.text()).toBe('via presigned');
        expect(get.headers.get('content-type')).toBe('text/plain');
        const tampered = await fetch(getUrl.replace('file%20name', 'other'));
        expect(tampered.status).toBe(403);
        expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
      });
    });
  });
}
