// Syncing a whole filesystem at once (syncfs(2), through `sync -f`, run on a record writer's
// thread): one flush of everything a record log's checkpoint wrote unsynced, instead of an
// fdatasync per record file and an fsync per directory. Measured here for 500 new record
// files: ~40 ms against ~225 ms synced one by one. Node has no syncfs binding; coreutils' and
// busybox's `sync -f` call it. Where the probe fails (not Linux, no such `sync`) checkpoints
// sync each file as they write it; a later failure fails the checkpoint, which is retried.
// Limits: syncfs reports only writeback errors from after `sync` opened the directory (an error
// the kernel hit writing a checkpoint's pages back just before goes unseen), and it syncs the
// data directory's filesystem only (a meta/ mounted elsewhere is not covered).
import { syncFilesystem } from './record-writer.ts';

let available: Promise<boolean> | undefined;

/** Whether syncFilesystem works here (asked once per process, by syncing `dir`'s filesystem). */
export function syncFsAvailable(dir: string): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false);
  available ??= syncFilesystem(dir).then(
    () => true,
    () => false,
  );
  return available;
}
