// The guide's "versioning and lifecycle policies" recommendation, end to end: the stack seeds
// its lifecycle rules (stack/policies/lifecycle.json) on a versioned bucket, the app works as
// usual, and the test moves the clock instead of waiting 30 days.
import { Readable } from 'node:stream';
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describe } from 'vitest';
import { DAY_MS } from '../../stack/s3/lifecycle/index.ts';
import { expect, test } from '../../stack/testing/fixture.ts';
import { appFor } from './support/app.ts';
import { samplePdf, samplePng } from './support/sample-files.ts';

const retention = test.extend({ stackOptions: [{ versioning: true, lifecycle: true }, { scope: 'file' }] });

function clientAs(env: Record<string, string>, keys: { accessKeyId: string; secretAccessKey: string }) {
  return new S3Client({
    endpoint: env.AWS_ENDPOINT_URL_S3,
    region: env.AWS_S3_REGION,
    forcePathStyle: true,
    credentials: keys,
  });
}

describe('lifecycle rules on the app bucket', () => {
  retention(
    'chat attachments expire after 30 days; team images stay; old versions go 30 days later',
    async ({ stack }) => {
      await using app = appFor(stack.env);
      const bucket = stack.s3.bucket;
      const attached = await app.flows.attachFileToChat({
        roomId: 'room-study',
        file: {
          fileName: 'notes.pdf',
          contentType: 'application/pdf',
          body: Readable.from([samplePdf('notes')]),
        },
      });
      const png = samplePng(4, [0x10, 0x20, 0x30]);
      const profile = await app.flows.setTeamProfileImage({
        teamId: 'team-focus',
        image: { fileName: 'logo.png', contentType: 'image/png', body: png, size: png.length },
      });

      // Created today, "Days: 30" means the midnight (UTC) after 30 days: day 29 is too early.
      expect(await stack.advanceTime(29 * DAY_MS)).toEqual([]);
      expect(await app.storage.exists(attached.key)).toBe(true);

      const expired = await stack.advanceTime(2 * DAY_MS);
      expect(expired).toEqual([
        { bucket, type: 'expire-current', key: attached.key, ruleId: 'expire-chat-attachments' },
      ]);
      expect(await app.storage.exists(attached.key)).toBe(false);
      expect(await app.storage.exists(profile.key)).toBe(true);
      // Versioned bucket: expiring hid the attachment behind a delete marker; its bytes remain
      // as a noncurrent version until the noncurrent-version rule's 30 days are up.
      const root = clientAs(stack.env, stack.s3.root);
      const hidden = await root.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'chat/' }));
      expect(hidden.Versions?.map((v) => v.IsLatest)).toEqual([false]);
      expect(hidden.DeleteMarkers?.map((d) => d.IsLatest)).toEqual([true]);

      const purged = await stack.advanceTime(31 * DAY_MS);
      expect(purged).toEqual([
        {
          bucket,
          type: 'delete-version',
          key: attached.key,
          versionId: hidden.Versions![0]!.VersionId,
          ruleId: 'expire-old-versions',
        },
      ]);
      // The delete marker is now alone: an expired object delete marker, removed on the next pass.
      expect(await stack.runLifecycle()).toEqual([
        {
          bucket,
          type: 'delete-marker',
          key: attached.key,
          versionId: hidden.DeleteMarkers![0]!.VersionId,
          ruleId: 'expire-old-versions',
        },
      ]);
      const left = await root.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      expect(left.Versions?.map((v) => v.Key)).toEqual([profile.key]);
      expect(left.DeleteMarkers).toBeUndefined();
      root.destroy();
    },
  );

  retention('an upload the client never completed is aborted 7 days after it started', async ({ stack }) => {
    const bucket = stack.s3.bucket;
    // What a browser upload that died half-way leaves behind, under the app's own keys.
    const asApp = clientAs(stack.env, {
      accessKeyId: stack.env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY!,
    });
    const started = await asApp.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'chat/room-study/big-video.mp4' }),
    );
    expect(started.AbortRuleId).toBe('abort-stale-uploads');
    await asApp.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'chat/room-study/big-video.mp4',
        UploadId: started.UploadId,
        PartNumber: 1,
        Body: Buffer.alloc(1024, 1),
      }),
    );
    asApp.destroy();

    expect(await stack.advanceTime(6 * DAY_MS)).toEqual([]);
    expect(await stack.advanceTime(2 * DAY_MS)).toEqual([
      {
        bucket,
        type: 'abort-upload',
        key: 'chat/room-study/big-video.mp4',
        uploadId: started.UploadId,
        ruleId: 'abort-stale-uploads',
      },
    ]);
    const root = clientAs(stack.env, stack.s3.root);
    expect((await root.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads).toBeUndefined();
    root.destroy();
  });
});
