// STORAGE_MAX_FILE_SIZE end to end: an upload over the limit is refused with TOO_LARGE while it
// streams, and no object is created. Whether a multipart upload is left open (invisible in
// listings, billed on AWS until aborted) is checked as root: under the guide's 10 MB limit the
// adapter sends one PutObject, so nothing is ever opened; above 16 MiB it streams parts.

import { Readable } from 'node:stream';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { describe } from 'vitest';
import type { Stack } from '../../../stack/stack.ts';
import { engineUnderTest, expect, test } from '../../../stack/testing/fixture.ts';
import { appFor } from '../support/app.ts';
import { recordRequests } from '../support/request-recorder.ts';

const MiB = 1024 * 1024;

/** `total` bytes in 256 KiB chunks, like a request body arriving from a browser. */
function upload(total: number): Readable {
  const chunk = Buffer.alloc(256 * 1024, 0x5a);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      this.push(chunk.subarray(0, n));
    },
  });
}

async function openUploads(stack: Stack): Promise<unknown[]> {
  const root = new S3Client({
    endpoint: stack.s3.url,
    region: stack.s3.region,
    forcePathStyle: true,
    credentials: stack.s3.root,
  });
  try {
    const out = await root.send(new ListMultipartUploadsCommand({ Bucket: stack.s3.bucket }));
    return out.Uploads ?? [];
  } finally {
    root.destroy();
  }
}

/** Registers these cases in the calling test file, on that file's stack. */
export function uploadLimitCases(): void {
  // These cases read the S3 request log to prove what never reached S3; only the embedded engine
  // keeps one. On MinIO the storage contract (test/minio/storage.contract.test.ts) covers the
  // same limits by their outcome.
  describe.skipIf(engineUnderTest() !== 'embedded')('STORAGE_MAX_FILE_SIZE', () => {
    test("over the guide's 10 MB limit: refused while streaming, nothing reaches S3, nothing left open", async ({
      stack,
    }) => {
      await using app = appFor(stack.env);
      using requests = recordRequests(stack);
      const limit = Number(stack.env.STORAGE_MAX_FILE_SIZE);
      await expect(
        app.flows.attachFileToChat({
          roomId: 'room-focus-study-general',
          file: { fileName: '발표 자료.zip', contentType: 'application/zip', body: upload(limit + 1) },
        }),
      ).rejects.toMatchObject({ name: 'StorageError', code: 'TOO_LARGE' });
      expect(await stack.s3.inspect.listObjects(stack.s3.bucket)).toEqual([]);
      expect(await openUploads(stack)).toEqual([]);
      await requests.waitFor('ListObjectsV2');
      expect(requests.operations()).not.toContain('PutObject');
      expect(requests.operations()).not.toContain('CreateMultipartUpload');
    });

    test("a limit above one PutObject streams as multipart; the guide's policy denies the abort, as AWS would", async ({
      stack,
    }) => {
      // 20 MiB is past S3Storage's single-PUT threshold (16 MiB): the body streams as parts.
      await using app = appFor({ ...stack.env, STORAGE_MAX_FILE_SIZE: String(20 * MiB) });
      using requests = recordRequests(stack);
      await expect(
        app.flows.attachFileToChat({
          roomId: 'room-focus-study-general',
          file: { fileName: '발표 자료.zip', contentType: 'application/zip', body: upload(21 * MiB) },
        }),
      ).rejects.toMatchObject({ name: 'StorageError', code: 'TOO_LARGE' });

      expect(await stack.s3.inspect.listObjects(stack.s3.bucket)).toEqual([]);
      const abort = await requests.waitFor('AbortMultipartUpload');
      expect(requests.operations()).toContain('CreateMultipartUpload');
      expect(requests.operations()).not.toContain('CompleteMultipartUpload');

      // The guide's least-privilege policy (Put/Get/DeleteObject, ListBucket) has no
      // s3:AbortMultipartUpload: on AWS that abort is refused too, and the incomplete upload
      // stays open (and billed) until a lifecycle rule removes it. A deployment that raises the
      // limit past 16 MiB needs that action (or an AbortIncompleteMultipartUpload rule).
      expect(abort.status).toBe(403);
      expect(abort.errorCode).toBe('AccessDenied');
      const [denied] = abort.decisions;
      expect(denied).toMatchObject({ action: 's3:AbortMultipartUpload', allowed: false });
      expect(denied!.reason).toContain(`identity policy '${stack.policies.userPolicy.name}'`);
      expect(await openUploads(stack)).toMatchObject([
        { Key: expect.stringMatching(/^chat\/room-focus-study-general\/.*-발표-자료\.zip$/) },
      ]);
    });

    test('under one part, an oversize stream never reaches S3; exactly the limit is accepted', async ({
      stack,
    }) => {
      const limit = 1 * MiB;
      await using app = appFor({ ...stack.env, STORAGE_MAX_FILE_SIZE: String(limit) });
      using requests = recordRequests(stack);

      const error = await app.flows
        .attachFileToChat({
          roomId: 'room-focus-study-general',
          file: { fileName: 'data.csv', contentType: 'text/csv', body: upload(limit + 1) },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toMatchObject({ name: 'StorageError', code: 'TOO_LARGE' });
      expect((error as Error).message).toContain('STORAGE_MAX_FILE_SIZE');
      expect(await stack.s3.inspect.listObjects(stack.s3.bucket)).toEqual([]);
      // That listing's own log entry means anything the app sent before it is logged too.
      await requests.waitFor('ListObjectsV2');
      expect(requests.operations()).not.toContain('PutObject');
      expect(requests.operations()).not.toContain('CreateMultipartUpload');

      const ok = await app.flows.attachFileToChat({
        roomId: 'room-focus-study-general',
        file: { fileName: 'data.csv', contentType: 'text/csv', body: upload(limit) },
      });
      expect(ok.size).toBe(limit);
      const keys = (await stack.s3.inspect.listObjects(stack.s3.bucket)).map((o) => [o.key, o.size]);
      expect(keys).toEqual([[ok.key, limit]]);
      expect(await openUploads(stack)).toEqual([]);
    });

    test('a buffer over the limit (size known up front) is refused before any request', async ({ stack }) => {
      await using app = appFor({ ...stack.env, STORAGE_MAX_FILE_SIZE: String(64 * 1024) });
      using requests = recordRequests(stack);
      const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(64 * 1024)]);

      await expect(
        app.flows.submitVerificationDocument({
          teamId: 'team-focus-study',
          teamName: '포커스 스터디',
          leaderEmail: 'minji.kim@example.com',
          document: { fileName: '사업자등록증.pdf', contentType: 'application/pdf', body: big },
        }),
      ).rejects.toMatchObject({ name: 'StorageError', code: 'TOO_LARGE' });

      expect(await stack.s3.inspect.listObjects(stack.s3.bucket)).toEqual([]);
      await requests.waitFor('ListObjectsV2');
      expect(requests.operations()).toEqual(['ListObjectsV2']);
      // The refused submission sends no "received" email.
      expect(stack.mail.messages()).toEqual([]);
    });
  });
}
