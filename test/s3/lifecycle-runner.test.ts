// The lifecycle runner against the store directly: a client write that lands between a pass's
// plan and its actions is never what the pass removes.
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../stack/s3/lifecycle/index.ts';
import { runLifecycleOnce } from '../../stack/s3/lifecycle/runner.ts';
import { memoryBackends } from '../../stack/s3/storage/memory-backend.ts';
import { Store } from '../../stack/s3/storage/store.ts';
import type { ObjectRecord } from '../../stack/s3/storage/types.ts';

const T0 = Date.UTC(2026, 0, 1, 10);

function record(key: string, body: string, at: number): ObjectRecord {
  return {
    key,
    size: body.length,
    etag: 'e',
    lastModified: at,
    contentType: 'text/plain',
    userMeta: {},
    tags: [],
    storageClass: 'STANDARD',
    blobs: [],
  };
}

async function storeWith(versioning: 'Enabled' | 'Suspended' | undefined, rules: object[]) {
  let now = T0;
  const store = await Store.open(
    memoryBackends(),
    () => {},
    () => now,
  );
  await store.createBucket({
    name: 'b',
    region: 'us-east-1',
    created: T0,
    owner: 'root',
    configs: { versioning, lifecycle: rules as never },
  });
  return { store, at: (ms: number) => (now = ms) };
}

describe('lifecycle runner and concurrent writes', () => {
  it('does not remove a suspended bucket’s new null version written after the plan', async () => {
    const { store } = await storeWith('Enabled', [
      {
        id: 'nc',
        status: 'Enabled',
        filter: {},
        filterStyle: 'filter',
        noncurrentVersionExpiration: { noncurrentDays: 1 },
      },
    ]);
    await store.updateBucketConfigs('b', (c) => ({ ...c, versioning: 'Suspended' }));
    await store.commitObject('b', 'k', () => record('k', 'old null', T0));
    await store.updateBucketConfigs('b', (c) => ({ ...c, versioning: 'Enabled' }));
    await store.commitObject('b', 'k', () => record('k', 'v2', T0));
    await store.updateBucketConfigs('b', (c) => ({ ...c, versioning: 'Suspended' }));
    // The write queues on the key's lock first; the pass plans on [v2, old null] and its
    // delete of `null` runs after the write replaced the null version with a new object.
    const write = store.commitObject('b', 'k', () => record('k', 'new null', T0 + 5 * DAY_MS));
    const actions = await runLifecycleOnce(store, T0 + 5 * DAY_MS);
    await write;
    expect(actions).toEqual([]);
    const versions = store.versions('b', 'k');
    expect(versions.map((v) => v.versionId ?? 'null')).toEqual(['null', versions[1]!.versionId]);
    expect(versions[0]!.lastModified).toBe(T0 + 5 * DAY_MS);
  });

  it('does not expire an object rewritten after the plan', async () => {
    const { store } = await storeWith(undefined, [
      { id: 'x', status: 'Enabled', filter: {}, filterStyle: 'filter', expiration: { days: 1 } },
    ]);
    await store.commitObject('b', 'k', () => record('k', 'old', T0));
    const write = store.commitObject('b', 'k', () => record('k', 'fresh', T0 + 3 * DAY_MS));
    expect(await runLifecycleOnce(store, T0 + 3 * DAY_MS)).toEqual([]);
    await write;
    expect(store.head('b', 'k')?.lastModified).toBe(T0 + 3 * DAY_MS);
  });

  it('keeps a delete marker that a new write made noncurrent', async () => {
    const { store } = await storeWith('Enabled', [
      {
        id: 'm',
        status: 'Enabled',
        filter: {},
        filterStyle: 'filter',
        expiration: { expiredObjectDeleteMarker: true },
      },
    ]);
    await store.deleteObject('b', 'k');
    const write = store.commitObject('b', 'k', () => record('k', 'back', T0 + DAY_MS));
    expect(await runLifecycleOnce(store, T0 + 2 * DAY_MS)).toEqual([]);
    await write;
    expect(store.versions('b', 'k').map((v) => v.deleteMarker === true)).toEqual([false, true]);
  });
});
