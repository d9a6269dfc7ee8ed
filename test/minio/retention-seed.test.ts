// The retention settings (--versioning, --lifecycle) seeded on real MinIO: the same files and
// the same app-user statements work there, and what MinIO refuses is reported, not hidden.
import {
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { startStack } from '../../stack/stack.ts';
import { minioAvailable } from './minio-available.ts';

describe.runIf(minioAvailable())('retention seeding on MinIO', () => {
  it('enables versioning, applies the lifecycle rules MinIO takes, and lets the app read versions', async () => {
    await using stack = await startStack({ engine: 'minio', versioning: true, lifecycle: true });
    const client = (keys: { accessKeyId: string; secretAccessKey: string }) =>
      new S3Client({
        endpoint: stack.s3.url,
        region: stack.s3.region,
        forcePathStyle: true,
        credentials: keys,
      });
    const root = client(stack.s3.root);
    const app = client(stack.s3.app);
    try {
      const Bucket = stack.s3.bucket;
      expect((await root.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
      const rules = await root.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
      expect(rules.Rules?.map((r) => r.ID).sort()).toEqual([
        'expire-chat-attachments',
        'expire-old-versions',
      ]);
      expect(stack.seedSkipped).toContainEqual(
        expect.stringMatching(/abort-stale-uploads: AbortIncompleteMultipartUpload/),
      );

      const Key = 'teams/t1/profile/logo.png';
      const v1 = (await app.send(new PutObjectCommand({ Bucket, Key, Body: 'one' }))).VersionId;
      await app.send(new PutObjectCommand({ Bucket, Key, Body: 'two' }));
      const old = await app.send(new GetObjectCommand({ Bucket, Key, VersionId: v1 }));
      expect(await old.Body!.transformToString()).toBe('one');

      await expect(stack.advanceTime(1000)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    } finally {
      root.destroy();
      app.destroy();
    }
  }, 60_000);
});
