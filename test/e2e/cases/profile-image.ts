// Team profile images end to end: the one public prefix of the bucket. Anyone can load the
// image from storage.publicUrl(key); a new image replaces (deletes) the old one.
import { describe } from 'vitest';
import { expect, test } from '../../../stack/testing/fixture.ts';
import { anonymousGet, appFor } from '../support/app.ts';
import { samplePng } from '../support/sample-files.ts';

const TEAM_ID = 'team-focus-study';

/** Registers these cases in the calling test file, on that file's stack. */
export function profileImageCases(): void {
  describe('team profile image', () => {
    test('the image is stored under teams/{teamId}/profile/ and anyone can load it', async ({ stack }) => {
      await using app = appFor(stack.env);
      const png = samplePng(8);

      const profile = await app.flows.setTeamProfileImage({
        teamId: TEAM_ID,
        image: { fileName: '포커스 스터디 로고.png', contentType: 'image/png', body: png, size: png.length },
      });

      expect(profile.key).toMatch(/^teams\/team-focus-study\/profile\/[0-9a-f-]{36}\.png$/);
      expect(profile.size).toBe(png.length);
      expect(profile.replaced).toEqual([]);
      const stored = await stack.s3.inspect.getObject(stack.s3.bucket, profile.key);
      expect(stored?.body.equals(png)).toBe(true);
      expect(stored?.contentType).toBe('image/png');
      expect(stored?.metadata).toEqual({ 'team-id': TEAM_ID });

      expect(profile.publicUrl).toBe(`${stack.s3.url}/${stack.s3.bucket}/${profile.key}`);
      const visitor = await anonymousGet(profile.publicUrl);
      expect(visitor.status).toBe(200);
      expect(visitor.contentType).toBe('image/png');
      expect(visitor.body.equals(png)).toBe(true);

      // Public means readable, not listable: the bucket policy grants s3:GetObject only.
      const listing = await anonymousGet(`${stack.s3.url}/${stack.s3.bucket}?list-type=2&prefix=teams/`);
      expect(listing.status).toBe(403);
      expect(listing.errorCode).toBe('AccessDenied');
      expect(stack.mail.messages()).toEqual([]);
    });

    test('a new image replaces the old one: the old URL stops working, the new one serves', async ({
      stack,
    }) => {
      await using app = appFor(stack.env);
      const first = await app.flows.setTeamProfileImage({
        teamId: TEAM_ID,
        image: { fileName: 'logo.png', contentType: 'image/png', body: samplePng(4, [0xff, 0x88, 0x00]) },
      });
      const newer = samplePng(4, [0x22, 0xaa, 0x55]);

      const second = await app.flows.setTeamProfileImage({
        teamId: TEAM_ID,
        image: { fileName: 'logo-2026.png', contentType: 'image/png', body: newer },
      });

      expect(second.replaced).toEqual([first.key]);
      const keys = (await stack.s3.inspect.listObjects(stack.s3.bucket)).map((o) => o.key);
      expect(keys).toEqual([second.key]);
      // Anonymous readers may not learn whether a key exists: a missing public object is 403 too
      // unless they may list the bucket (as on AWS).
      // MinIO departs from AWS here and answers 404 NoSuchKey to the anonymous reader.
      expect((await anonymousGet(first.publicUrl)).status).toBe(stack.engine.kind === 'minio' ? 404 : 403);
      const visitor = await anonymousGet(second.publicUrl);
      expect(visitor.status).toBe(200);
      expect(visitor.body.equals(newer)).toBe(true);
    });
  });
}
