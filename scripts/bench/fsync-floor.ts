// What one durable write costs on the disk under the benchmark's data directories: the floor
// under a single-stream PUT on an engine that syncs before it answers (ours on disk, MinIO),
// which an engine that never syncs (s3rver) does not pay. A write of `size` bytes into space
// already written, then fdatasync, median of `count`: back to back, and after the process sat
// idle for 1 ms as it does between a single client's requests (on a virtual machine an idle
// CPU wakes to the disk's answer later than a busy one).
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FsyncFloor {
  size: number;
  backToBackMs: number;
  afterIdleMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function fsyncFloor(size: number, count = 200): Promise<FsyncFloor> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-fsync-'));
  try {
    const fd = openSync(join(dir, 'floor'), 'w+');
    try {
      const zeros = Buffer.alloc(1024 * 1024);
      const span = size * count * 2;
      for (let at = 0; at < span; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
      fdatasyncSync(fd);
      const body = Buffer.alloc(size, 7);
      let at = 0;
      const once = () => {
        const t = performance.now();
        writeSync(fd, body, 0, size, at);
        fdatasyncSync(fd);
        at += size;
        return performance.now() - t;
      };
      const backToBack: number[] = [];
      for (let i = 0; i < count; i++) backToBack.push(once());
      const afterIdle: number[] = [];
      for (let i = 0; i < count; i++) {
        await new Promise((r) => setTimeout(r, 1));
        afterIdle.push(once());
      }
      return { size, backToBackMs: median(backToBack), afterIdleMs: median(afterIdle) };
    } finally {
      closeSync(fd);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
