// The guide's least-privilege user and the seeded bucket policy, as the app meets them. The
// guide's own connection check calls list_buckets(), which its own IAM policy does not allow:
// on AWS that check fails with AccessDenied, so it must fail here too — with the reason logged.

import { HeadBucketCommand, ListBucketsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { describe } from 'vitest';
import { APP_USER_NAME } from '../../../stack/config/provisioning.ts';
import { engineUnderTest, expect, test } from '../../../stack/testing/fixture.ts';
import { anonymousGet, appFor, objectUrl } from '../support/app.ts';
import { samplePdf, samplePng } from '../support/sample-files.ts';

const APP_USER_ARN = `arn:aws:iam::000000000000:user/${APP_USER_NAME}`;

/** An S3 client exactly as the guide's check builds it, from the app's env. */
function guideClient(env: Record<string, string>): S3Client {
  return new S3Client({
    endpoint: env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: true,
    region: env.AWS_S3_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
    maxAttempts: 1,
  });
}

/** Registers these cases in the calling test file, on that file's stack. */
export function accessControlCases(): void {
  describe('access control as the guide sets it up', () => {
    // MinIO departs from AWS here: it answers ListBuckets with the buckets the user can reach.
    test.skipIf(engineUnderTest() === 'minio')(
      "the guide's connection check: list_buckets() is denied to the app user, head_bucket() passes",
      async ({ stack }) => {
        const s3 = guideClient(stack.env);
        try {
          const denied = await s3.send(new ListBucketsCommand({})).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(denied).toBeInstanceOf(S3ServiceException);
          const error = denied as S3ServiceException;
          expect(error.name).toBe('AccessDenied');
          expect(error.$metadata.httpStatusCode).toBe(403);
          // The wire says only what AWS says; the why is in the decision log.
          expect(error.message).not.toMatch(/statement|policy/i);

          const head = await s3.send(new HeadBucketCommand({ Bucket: stack.env.AWS_S3_BUCKET }));
          expect(head.$metadata.httpStatusCode).toBe(200);

          const [decision] = stack.decisions().filter((d) => d.requestId === error.$metadata.requestId);
          expect(decision).toMatchObject({
            principal: APP_USER_ARN,
            operation: 'ListBuckets',
            action: 's3:ListAllMyBuckets',
            allowed: false,
            decidedBy: { policy: 'default' },
          });
          expect(decision!.reason).toMatch(
            new RegExp(
              `no statement in identity policy '${stack.policies.userPolicy.name}'.* allows s3:ListAllMyBuckets`,
            ),
          );
        } finally {
          s3.destroy();
        }
        // The stack's root identity does see the bucket.
        expect(await stack.s3.inspect.listBuckets()).toContain(stack.s3.bucket);
      },
    );

    test('anonymous reads: denied outside teams/*/profile/*, granted by the seeded statement inside it', async ({
      stack,
    }) => {
      await using app = appFor(stack.env);
      const { documentKey } = await app.flows.submitVerificationDocument({
        teamId: 'team-focus-study',
        teamName: '포커스 스터디',
        leaderEmail: 'minji.kim@example.com',
        document: {
          fileName: '사업자등록증.pdf',
          contentType: 'application/pdf',
          body: samplePdf('certificate'),
        },
      });
      const chat = await app.flows.attachFileToChat({
        roomId: 'room-focus-study-general',
        file: { fileName: '회의록.pdf', contentType: 'application/pdf', body: samplePdf('notes') },
      });
      const png = samplePng();
      const profile = await app.flows.setTeamProfileImage({
        teamId: 'team-focus-study',
        image: { fileName: 'logo.png', contentType: 'image/png', body: png },
      });

      // Only the embedded engine explains its decisions; MinIO is checked on the outcome alone.
      const explains = stack.engine.kind === 'embedded';
      for (const key of [documentKey, chat.key]) {
        const visitor = await anonymousGet(objectUrl(stack.s3.url, stack.s3.bucket, key));
        expect(visitor.status, key).toBe(403);
        expect(visitor.errorCode, key).toBe('AccessDenied');
        if (!explains) continue;
        const decision = stack.decisions().findLast((d) => d.principal === 'anonymous' && d.key === key);
        expect(decision, key).toMatchObject({ action: 's3:GetObject', allowed: false });
        expect(decision!.reason).toMatch(/no statement in the bucket policy allows anonymous s3:GetObject/);
      }
      const visitor = await anonymousGet(app.storage.publicUrl(profile.key));
      expect(visitor.status).toBe(200);
      expect(visitor.body.equals(png)).toBe(true);
      if (explains) {
        const granted = stack
          .decisions()
          .findLast((d) => d.principal === 'anonymous' && d.key === profile.key);
        expect(granted).toMatchObject({ action: 's3:GetObject', allowed: true });
        expect(granted!.reason).toBe("Allowed by bucket policy statement 'PublicReadTeamProfileImages'");
      }
    });
  });
}
