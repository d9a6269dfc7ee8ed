// The guide's least-privilege user and an anonymous visitor against the seeded bucket, judged
// only by what comes back on the wire, so the same cases run on the embedded engine and MinIO.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe } from 'vitest';
import { expect, test } from '../../../stack/testing/fixture.ts';
import { objectUrl } from '../support/app.ts';

function client(url: string, region: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
  return new S3Client({ endpoint: url, region, forcePathStyle: true, credentials, maxAttempts: 1 });
}

async function errorName(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: { name?: string }) => e.name,
  );
}

export function leastPrivilegeCases(): void {
  describe('least privilege, judged on the wire', () => {
    test('the app user may put, head, get, list and delete in its bucket, and nothing else', async ({
      stack,
    }) => {
      const app = client(stack.s3.url, stack.s3.region, stack.s3.app);
      const root = client(stack.s3.url, stack.s3.region, stack.s3.root);
      const Bucket = stack.s3.bucket;
      try {
        await app.send(new PutObjectCommand({ Bucket, Key: 'chat/r1/a.txt', Body: 'hello' }));
        await app.send(new HeadObjectCommand({ Bucket, Key: 'chat/r1/a.txt' }));
        const got = await app.send(new GetObjectCommand({ Bucket, Key: 'chat/r1/a.txt' }));
        expect(await got.Body!.transformToString()).toBe('hello');
        const listed = await app.send(new ListObjectsV2Command({ Bucket, Prefix: 'chat/' }));
        expect(listed.Contents?.map((o) => o.Key)).toEqual(['chat/r1/a.txt']);
        await app.send(new DeleteObjectCommand({ Bucket, Key: 'chat/r1/a.txt' }));

        expect(await errorName(app.send(new GetBucketPolicyCommand({ Bucket })))).toBe('AccessDenied');
        expect(
          await errorName(
            app.send(
              new PutBucketPolicyCommand({ Bucket, Policy: '{"Version":"2012-10-17","Statement":[]}' }),
            ),
          ),
        ).toBe('AccessDenied');

        const other = `${Bucket}-other`;
        await root.send(new CreateBucketCommand({ Bucket: other })).catch(() => {});
        expect(await errorName(app.send(new PutObjectCommand({ Bucket: other, Key: 'x', Body: 'x' })))).toBe(
          'AccessDenied',
        );
        expect(await errorName(app.send(new ListObjectsV2Command({ Bucket: other })))).toBe('AccessDenied');
      } finally {
        app.destroy();
        root.destroy();
      }
    });

    test('an anonymous visitor reads team profile images and nothing else, and writes nothing', async ({
      stack,
    }) => {
      const root = client(stack.s3.url, stack.s3.region, stack.s3.root);
      const Bucket = stack.s3.bucket;
      try {
        await root.send(new PutObjectCommand({ Bucket, Key: 'teams/t1/profile/logo.png', Body: 'png' }));
        await root.send(new PutObjectCommand({ Bucket, Key: 'verifications/t1/doc.pdf', Body: 'pdf' }));
        const open = await fetch(objectUrl(stack.s3.url, Bucket, 'teams/t1/profile/logo.png'));
        expect(open.status).toBe(200);
        expect(await open.text()).toBe('png');
        const closed = await fetch(objectUrl(stack.s3.url, Bucket, 'verifications/t1/doc.pdf'));
        expect(closed.status).toBe(403);
        expect(await closed.text()).toContain('<Code>AccessDenied</Code>');
        const put = await fetch(objectUrl(stack.s3.url, Bucket, 'teams/t1/profile/evil.png'), {
          method: 'PUT',
          body: 'x',
        });
        expect(put.status).toBe(403);
        await put.body?.cancel();
        const list = await fetch(`${stack.s3.url}/${Bucket}?list-type=2`);
        expect(list.status).toBe(403);
        await list.body?.cancel();
      } finally {
        root.destroy();
      }
    });
  });
}
