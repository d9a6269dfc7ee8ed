// Issue 11, "an overwritten profile image keeps its previous version and can be restored", end
// to end: the app built from a stack's env (its S3Storage signed as the guide's app user) on a
// bucket seeded with versioning, and for contrast on one without it, where a replaced image is
// really gone. Each test starts the stack it needs (two seedings), so no shared fixture.
import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, it } from 'vitest';
import { loadStackPolicies } from '../../stack/policies/load-stack-policies.ts';
import { startStack } from '../../stack/stack.ts';
import { engineUnderTest, expect } from '../../stack/testing/fixture.ts';
import { storageFailure } from '../contract/storage-contract.ts';
import { anonymousGet, appFor } from './support/app.ts';
import { samplePng } from './support/sample-files.ts';

const TEAM_ID = 'team-focus-study';
const PREFIX = `teams/${TEAM_ID}/profile/`;

/** ListObjectVersions as the stack's root sees it: what is really left in the bucket. */
async function versionsAsRoot(stack: Awaited<ReturnType<typeof startStack>>) {
  const s3 = new S3Client({
    endpoint: stack.s3.url,
    region: stack.s3.region,
    forcePathStyle: true,
    credentials: stack.s3.root,
  });
  try {
    const out = await s3.send(new ListObjectVersionsCommand({ Bucket: stack.s3.bucket, Prefix: PREFIX }));
    return {
      versions: (out.Versions ?? []).map((v) => [v.Key, v.VersionId, v.IsLatest]),
      markers: (out.DeleteMarkers ?? []).map((d) => [d.Key, d.IsLatest]),
    };
  } finally {
    s3.destroy();
  }
}

describe('team profile image history', () => {
  it('on a versioned bucket a replaced image can be restored, byte for byte, and is public again', async () => {
    await using stack = await startStack({ engine: engineUnderTest(), versioning: true });
    await using app = appFor(stack.env);
    const firstPng = samplePng(8, [0xff, 0x88, 0x00]);
    const secondPng = samplePng(5, [0x22, 0xaa, 0x55]);
    const first = await app.flows.setTeamProfileImage({
      teamId: TEAM_ID,
      image: { fileName: 'logo.png', contentType: 'image/png', body: firstPng },
    });
    const second = await app.flows.setTeamProfileImage({
      teamId: TEAM_ID,
      image: { fileName: 'logo-2026.png', contentType: 'image/png', body: secondPng },
    });
    expect(second.replaced).toEqual([first.key]);
    expect((await anonymousGet(first.publicUrl)).status).toBe(stack.engine.kind === 'minio' ? 404 : 403);
    // The delete left a marker over the first image's version: nothing was lost.
    const before = await versionsAsRoot(stack);
    expect(before.markers).toEqual([[first.key, true]]);
    expect(before.versions.map(([key]) => key).sort()).toEqual([first.key, second.key].sort());

    const history = await app.flows.teamProfileImageHistory({ teamId: TEAM_ID });

    expect(history.map((h) => [h.key, h.current, h.size])).toEqual([
      [second.key, true, secondPng.length],
      [first.key, false, firstPng.length],
    ]);
    const restored = await app.flows.restoreTeamProfileImage({
      teamId: TEAM_ID,
      key: history[1]!.key,
      versionId: history[1]!.versionId,
    });

    expect(restored).toEqual({
      key: first.key,
      size: firstPng.length,
      publicUrl: first.publicUrl,
      replaced: [second.key],
    });
    const stored = await stack.s3.inspect.getObject(stack.s3.bucket, first.key);
    expect(stored?.body.equals(firstPng)).toBe(true);
    expect(stored?.contentType).toBe('image/png');
    expect(stored?.metadata).toEqual({ 'team-id': TEAM_ID });
    expect((await stack.s3.inspect.listObjects(stack.s3.bucket)).map((o) => o.key)).toEqual([first.key]);
    const visitor = await anonymousGet(restored.publicUrl);
    expect(visitor.status).toBe(200);
    expect(visitor.contentType).toBe('image/png');
    expect(visitor.body.equals(firstPng)).toBe(true);
    expect((await anonymousGet(second.publicUrl)).status).toBe(stack.engine.kind === 'minio' ? 404 : 403);
    // The second image is now the restorable one.
    const after = await app.flows.teamProfileImageHistory({ teamId: TEAM_ID });
    expect(after[0]).toMatchObject({ key: first.key, current: true });
    expect(after.filter((h) => h.key === second.key)).toEqual([
      expect.objectContaining({ current: false, size: secondPng.length }),
    ]);
  });

  it('without versioning a replaced image is gone: no history to restore from', async () => {
    await using stack = await startStack({ engine: engineUnderTest() });
    await using app = appFor(stack.env);
    const first = await app.flows.setTeamProfileImage({
      teamId: TEAM_ID,
      image: { fileName: 'logo.png', contentType: 'image/png', body: samplePng(8) },
    });
    const second = await app.flows.setTeamProfileImage({
      teamId: TEAM_ID,
      image: { fileName: 'logo-2026.png', contentType: 'image/png', body: samplePng(5) },
    });

    // The guide's policy has no s3:ListBucketVersions: the app is told which action it lacks.
    const denied = await storageFailure(
      app.flows.teamProfileImageHistory({ teamId: TEAM_ID }),
      'ACCESS_DENIED',
    );
    expect(denied.message).toContain('s3:ListBucketVersions');

    // Granted the version actions (as a versioned stack grants them), the app sees only the
    // current image: the first one left no version and no delete marker behind.
    const granted = await loadStackPolicies({ bucket: stack.s3.bucket, versioning: true });
    await stack.engine.provisionUser(stack.provisioning.appUser, {
      name: granted.userPolicy.name,
      json: granted.userPolicyJson,
    });
    await using allowed = appFor(stack.env);
    const history = await allowed.flows.teamProfileImageHistory({ teamId: TEAM_ID });
    expect(history).toEqual([
      {
        key: second.key,
        versionId: 'null',
        lastModified: expect.any(Date),
        size: second.size,
        current: true,
      },
    ]);
    expect(await versionsAsRoot(stack)).toEqual({ versions: [[second.key, 'null', true]], markers: [] });
    await storageFailure(
      allowed.flows.restoreTeamProfileImage({ teamId: TEAM_ID, key: first.key, versionId: 'null' }),
      'NOT_FOUND',
    );
    expect((await stack.s3.inspect.listObjects(stack.s3.bucket)).map((o) => o.key)).toEqual([second.key]);
  });
});
