// DeleteBucket against object writes already under way (they take only their key's lock):
// a write that lands keeps the bucket (BucketNotEmpty), one that arrives after gets NoSuchBucket.
import { describe, expect, it } from 'vitest';
import { memoryBackends } from '../../stack/s3/storage/memory-backend.ts';
import { Store } from '../../stack/s3/storage/store.ts';
import type { Backends, ObjectRecord } from '../../stack/s3/storage/types.ts';

function record(key: string): ObjectRecord {
  return {
    key,
    size: 1,
    etag: 'e',
    lastModified: 0,
    contentType: 'text/plain',
    userMeta: {},
    tags: [],
    storageClass: 'STANDARD',
    blobs: [],
  };
}

async function emptyBucket(backends: Backends = memoryBackends()): Promise<Store> {
  const store = await Store.open(backends);
  await store.createBucket({ name: 'b', region: 'us-east-1', created: 0, owner: 'root', configs: {} });
  return store;
}

describe('DeleteBucket and concurrent writes', () => {
  it('waits for a write being saved and refuses with BucketNotEmpty when it lands', async () => {
    let finish!: () => void;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let saving!: () => void;
    const inSave = new Promise<void>((resolve) => {
      saving = resolve;
    });
    const backends = memoryBackends();
    const saveKey = backends.meta.saveKey.bind(backends.meta);
    // The record is being written (a slow disk) when DeleteBucket arrives.
    backends.meta.saveKey = async (...args) => {
      saving();
      await held;
      return saveKey(...args);
    };
    const store = await emptyBucket(backends);
    const write = store.commitObject('b', 'k', () => record('k'));
    await inSave;
    const deleting = store.deleteBucket('b');
    finish();
    await expect(write).resolves.toMatchObject({ key: 'k' });
    await expect(deleting).rejects.toMatchObject({ code: 'BucketNotEmpty' });
    expect(store.bucket('b')).toBeDefined();
    expect(store.head('b', 'k')).toBeDefined();
  });

  it('fails a write still being built when the bucket goes first, so nothing acknowledged is lost', async () => {
    const store = await emptyBucket();
    let finish!: () => void;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    // A Complete-like write whose builder is still reading parts when DeleteBucket arrives.
    const write = store.commitObjectAsync('b', 'k', async () => {
      await held;
      return record('k');
    });
    await Promise.resolve();
    const deleting = store.deleteBucket('b');
    finish();
    await expect(write).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(deleting).resolves.toBeUndefined();
    expect(store.bucket('b')).toBeUndefined();
  });

  it('answers NoSuchBucket to a write that starts while the bucket is going', async () => {
    const store = await emptyBucket();
    const deleting = store.deleteBucket('b');
    const late = store.commitObject('b', 'k', () => record('k'));
    await deleting;
    await expect(late).rejects.toMatchObject({ code: 'NoSuchBucket' });
    expect(store.bucket('b')).toBeUndefined();
  });
});
