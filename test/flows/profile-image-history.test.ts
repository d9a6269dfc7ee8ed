// teamProfileImageHistory / restoreTeamProfileImage over the real adapters: S3Storage on a
// versioned bucket of the embedded S3 server (a replaced image leaves a delete marker over its
// last version, so it can come back), and LocalStorage (no versions: a replaced image is gone).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmailService } from '../../src/email/email-service.ts';
import { FlowError } from '../../src/flows/flow-error.ts';
import { createFlows, type Flows } from '../../src/flows/flows.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { storageFailure } from '../contract/storage-contract.ts';
import { patternBytes, readAll } from '../helpers/streams.ts';
import { APP, RESTORER, startVersionedBucket, type VersionedBucket } from '../storage/versioned-bucket.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (seed: number, size = 200) => Buffer.concat([PNG_SIGNATURE, patternBytes(size, seed)]);

/** Profile images send no email: any use of it fails the test. */
const noEmail = new Proxy({} as EmailService, {
  get(_, name) {
    throw new Error(`profile image flows must not use email (${String(name)})`);
  },
});

function flowsOver(storage: Storage): Flows {
  return createFlows({ storage, email: noEmail, appBaseUrl: 'https://focusmate.example' });
}

let teams = 0;
const newTeam = () => `team-${++teams}-${Date.now().toString(36)}`;

async function bytes(storage: Storage, key: string): Promise<Buffer> {
  return readAll((await storage.get(key)).body);
}

async function flowFailure(promise: Promise<unknown>, field: string): Promise<void> {
  await expect(promise).rejects.toSatisfy(
    (error: unknown) => error instanceof FlowError && error.code === 'INVALID_INPUT' && error.field === field,
  );
}

describe('profile image history on a versioned S3 bucket', () => {
  let bucket: VersionedBucket;
  let storage: Storage;
  let flows: Flows;

  beforeAll(async () => {
    bucket = await startVersionedBucket();
    storage = bucket.storageAs(RESTORER);
    flows = flowsOver(storage);
  });
  afterAll(async () => {
    await bucket?.[Symbol.asyncDispose]();
  });

  it('a replaced image stays in the history and restoring it brings back the same bytes', async () => {
    const teamId = newTeam();
    const first = await flows.setTeamProfileImage({
      teamId,
      image: { fileName: 'logo.png', contentType: 'image/png', body: png(1, 300) },
    });
    const second = await flows.setTeamProfileImage({
      teamId,
      image: { fileName: 'logo-2.png', contentType: 'image/png', body: png(2, 100) },
    });
    expect(second.replaced).toEqual([first.key]);
    expect(await storage.exists(first.key)).toBe(false);

    const history = await flows.teamProfileImageHistory({ teamId });

    expect(history.map((h) => [h.key, h.current, h.size])).toEqual([
      [second.key, true, 108],
      [first.key, false, 308],
    ]);
    expect(history[1]!.versionId).toMatch(/^\S{32,}$/);
    expect(history[0]!.lastModified.getTime()).toBeGreaterThanOrEqual(history[1]!.lastModified.getTime());

    const restored = await flows.restoreTeamProfileImage({
      teamId,
      key: first.key,
      versionId: history[1]!.versionId,
    });

    expect(restored).toEqual({
      key: first.key,
      size: 308,
      publicUrl: storage.publicUrl(first.key),
      replaced: [second.key],
    });
    expect((await bytes(storage, first.key)).equals(png(1, 300))).toBe(true);
    expect((await storage.head(first.key)).contentType).toBe('image/png');
    expect((await storage.list(`teams/${teamId}/profile/`)).map((e) => e.key)).toEqual([first.key]);

    const after = await flows.teamProfileImageHistory({ teamId });
    // The restored copy is current; the replaced image and the original version stay restorable.
    expect(after[0]).toMatchObject({ key: first.key, current: true, size: 308 });
    expect(
      after
        .slice(1)
        .map((h) => [h.key, h.current])
        .sort(),
    ).toEqual(
      [
        [first.key, false],
        [second.key, false],
      ].sort(),
    );

    // And back again: the second image returns, the first is replaced once more.
    const back = after.find((h) => h.key === second.key)!;
    const again = await flows.restoreTeamProfileImage({ teamId, key: back.key, versionId: back.versionId });
    expect(again.replaced).toEqual([first.key]);
    expect((await bytes(storage, second.key)).equals(png(2, 100))).toBe(true);
  });

  it('restoring the current image changes nothing', async () => {
    const teamId = newTeam();
    const only = await flows.setTeamProfileImage({
      teamId,
      image: { fileName: 'a.png', contentType: 'image/png', body: png(3) },
    });
    const [current] = await flows.teamProfileImageHistory({ teamId });
    const result = await flows.restoreTeamProfileImage({
      teamId,
      key: only.key,
      versionId: current!.versionId,
    });
    expect(result).toEqual({ key: only.key, size: only.size, publicUrl: only.publicUrl, replaced: [] });
    expect(await flows.teamProfileImageHistory({ teamId })).toEqual([current]);
  });

  it('refuses ids and keys the other flows would refuse, and unknown versions, changing nothing', async () => {
    const teamId = newTeam();
    const other = newTeam();
    const first = await flows.setTeamProfileImage({
      teamId,
      image: { fileName: 'a.png', contentType: 'image/png', body: png(4) },
    });
    const second = await flows.setTeamProfileImage({
      teamId,
      image: { fileName: 'b.png', contentType: 'image/png', body: png(5) },
    });
    const old = (await flows.teamProfileImageHistory({ teamId })).find((h) => h.key === first.key)!;

    await flowFailure(flows.teamProfileImageHistory({ teamId: '../x' }), 'teamId');
    await flowFailure(
      flows.restoreTeamProfileImage({ teamId: 'a/b', key: first.key, versionId: old.versionId }),
      'teamId',
    );
    // Another team's prefix, a nested key and a non-string key.
    await flowFailure(
      flows.restoreTeamProfileImage({ teamId: other, key: first.key, versionId: old.versionId }),
      'key',
    );
    await flowFailure(
      flows.restoreTeamProfileImage({
        teamId,
        key: `teams/${teamId}/profile/x/y.png`,
        versionId: old.versionId,
      }),
      'key',
    );
    await flowFailure(
      flows.restoreTeamProfileImage({ teamId, key: 42 as unknown as string, versionId: old.versionId }),
      'key',
    );
    await flowFailure(flows.restoreTeamProfileImage({ teamId, key: first.key, versionId: '' }), 'versionId');
    await flowFailure(
      flows.restoreTeamProfileImage({ teamId, key: first.key, versionId: 'a b' }),
      'versionId',
    );
    await storageFailure(
      flows.restoreTeamProfileImage({
        teamId,
        key: first.key,
        versionId: 'AbCdEfGhIjKlMnOpQrStUvWxYz012345',
      }),
      'NOT_FOUND',
    );
    // A marker is in the listing but is not an image.
    expect((await storage.listVersions(first.key)).filter((v) => v.deleteMarker)).toHaveLength(1);

    expect((await storage.list(`teams/${teamId}/profile/`)).map((e) => e.key)).toEqual([second.key]);
  });

  it("with the guide's policy alone, the history is refused with the missing action named", async () => {
    const guideFlows = flowsOver(bucket.storageAs(APP));
    const teamId = newTeam();
    await guideFlows.setTeamProfileImage({
      teamId,
      image: { fileName: 'a.png', contentType: 'image/png', body: png(6) },
    });
    const error = await storageFailure(guideFlows.teamProfileImageHistory({ teamId }), 'ACCESS_DENIED');
    expect(error.message).toContain('s3:ListBucketVersions');
  });
});

describe('profile image history on LocalStorage (no versions)', () => {
  let root: string;
  let storage: LocalStorage;
  let flows: Flows;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'profile-history-'));
    storage = new LocalStorage({ root, maxFileSize: 64 * 1024 });
    flows = flowsOver(storage);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a replaced image is gone: the history holds the current image only', async () => {
    const teamId = newTeam();
    const first = await flows.setTeamProfileImage({
      teamId,
      image: { fileName: 'a.png', contentType: 'image/png', body: png(7) },
    });
    const second = await flows.setTeamProfileImage({
      teamId,
      image: { fileName: 'b.png', contentType: 'image/png', body: png(8, 50) },
    });

    const history = await flows.teamProfileImageHistory({ teamId });

    expect(history).toEqual([
      { key: second.key, versionId: 'null', lastModified: expect.any(Date), size: 58, current: true },
    ]);
    await storageFailure(
      flows.restoreTeamProfileImage({ teamId, key: first.key, versionId: 'null' }),
      'NOT_FOUND',
    );
    expect(await flows.restoreTeamProfileImage({ teamId, key: second.key, versionId: 'null' })).toEqual({
      key: second.key,
      size: 58,
      publicUrl: second.publicUrl,
      replaced: [],
    });
    expect((await bytes(storage, second.key)).equals(png(8, 50))).toBe(true);
  });
});
