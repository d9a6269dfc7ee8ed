// Applies buckets' lifecycle rules to the store at a moment of a clock the caller owns: the
// server runs it on a schedule, and tests advance that clock by days and run it at once.
// Passes never overlap, and each action re-checks under the key's lock that it still applies.
import { S3Error } from '../errors.ts';
import type { Store } from '../storage/store.ts';
import type { ObjectRecord } from '../storage/types.ts';
import { planLifecycle } from './plan.ts';
import type { LifecycleAction, VersionView } from './types.ts';

export type AppliedLifecycleAction = LifecycleAction & { bucket: string };

function views(versions: ObjectRecord[]): VersionView[] {
  return versions.map((v, i) => ({
    key: v.key,
    versionId: v.versionId ?? 'null',
    isLatest: i === 0,
    deleteMarker: v.deleteMarker === true,
    size: v.size,
    lastModified: v.lastModified,
    tags: v.tags,
    // A version becomes noncurrent when the next newer one is written.
    noncurrentSince: i === 0 ? undefined : versions[i - 1]!.lastModified,
  }));
}

/** What a pass planned on: each key's versions as they were, newest first. */
type Planned = Map<string, ObjectRecord[]>;

async function apply(store: Store, bucket: string, a: LifecycleAction, planned: Planned) {
  // Every action re-checks under the key's lock that the key is still as planned: a client
  // write in between (a new object, a suspended bucket's new `null` version) is never touched.
  const seen = planned.get(a.key) ?? [];
  switch (a.type) {
    case 'expire-current':
      return (
        await store.deleteObject(bucket, a.key, (current) => current !== undefined && current === seen[0])
      ).removed;
    case 'delete-version':
      return (
        await store.deleteVersion(bucket, a.key, a.versionId, (all, at) => at > 0 && seen.includes(all[at]!))
      ).removed;
    case 'delete-marker':
      // Expired only while it is still the key's one and only version.
      return (
        await store.deleteVersion(
          bucket,
          a.key,
          a.versionId,
          (all, at) => all.length === 1 && all[at] === seen[0],
        )
      ).removed;
    case 'abort-upload':
      try {
        await store.abortUpload(a.uploadId);
        return true;
      } catch (err) {
        // Completed or aborted by a client meanwhile.
        if (err instanceof S3Error && err.code === 'NoSuchUpload') return false;
        throw err;
      }
  }
}

/** One pass over every bucket with rules, at `now`; returns what it did. */
export async function runLifecycleOnce(store: Store, now: number): Promise<AppliedLifecycleAction[]> {
  const done: AppliedLifecycleAction[] = [];
  for (const b of store.listBuckets()) {
    const rules = b.configs.lifecycle;
    if (!rules?.length) continue;
    const planned: Planned = new Map();
    const keys: VersionView[][] = [];
    for (const key of store.versionedKeys(b.name)) {
      const versions = store.versions(b.name, key);
      planned.set(key, versions);
      keys.push(views(versions));
    }
    const uploads = store
      .listUploads(b.name)
      .map((u) => ({ key: u.key, uploadId: u.uploadId, initiated: u.initiated }));
    for (const action of planLifecycle(rules, keys, uploads, now)) {
      if (await apply(store, b.name, action, planned)) done.push({ bucket: b.name, ...action });
    }
  }
  return done;
}

export interface LifecycleRunner {
  /** The store's clock: the server's clock plus every advance. */
  now(): number;
  /**
   * Moves the store's clock forward by `ms` (Last-Modified of later writes follows; signature
   * checks keep the real time) and runs a pass at the new time.
   */
  advance(ms: number): Promise<AppliedLifecycleAction[]>;
  /** Runs a pass now (what the schedule does). */
  run(): Promise<AppliedLifecycleAction[]>;
  stop(): void;
}

/** The store's clock: `storeNow()` is the real clock plus `storeClock.offsetMs`. */
export interface StoreClock {
  storeNow(): number;
  storeClock: { offsetMs: number };
}

export function createLifecycleRunner(
  store: Store,
  clock: StoreClock,
  intervalMs: number,
  onApplied: (actions: AppliedLifecycleAction[]) => void,
): LifecycleRunner {
  let queue: Promise<unknown> = Promise.resolve();
  const now = () => clock.storeNow();
  const run = () => {
    const pass = queue.then(async () => {
      const actions = await runLifecycleOnce(store, now());
      if (actions.length) onApplied(actions);
      return actions;
    });
    queue = pass.catch(() => {});
    return pass;
  };
  // Unref'd: the schedule never keeps a process alive on its own.
  const timer = intervalMs > 0 ? setInterval(() => void run().catch(() => {}), intervalMs) : undefined;
  timer?.unref();
  return {
    now,
    run,
    advance(ms) {
      if (!(Number.isFinite(ms) && ms >= 0))
        throw new TypeError('lifecycle.advance: ms must be a non-negative number');
      // The whole stored world moves: objects written afterwards are dated in the new time.
      clock.storeClock.offsetMs += ms;
      return run();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
