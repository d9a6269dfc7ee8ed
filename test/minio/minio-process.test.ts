// MinIO runs as our child: ready on its health endpoint, stopped in bounded time, and gone
// even when the process that started it is killed with SIGKILL (no cleanup code runs then).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { minioAvailable } from './minio-available.ts';

function childrenOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? text.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

/** A process that exited but was not reaped yet is a zombie: gone for our purpose. */
function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // Polling /proc is the only way to watch a process we are not the parent of.
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await delay(25);
  }
  return !alive(pid);
}

if (minioAvailable()) {
  describe('MinIO child process', () => {
    it('dies with its parent, even when the parent is killed with SIGKILL', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'hold-minio-'));
      const holder = spawn(process.execPath, ['test/minio/fixtures/hold-minio.ts', dataDir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const started: number[] = [];
      try {
        const line = await new Promise<string>((resolve, reject) => {
          createInterface({ input: holder.stdout! }).once('line', resolve);
          holder.once('exit', (code) => reject(new Error(`holder exited ${code} before MinIO was ready`)));
        });
        const { wrapper, url } = JSON.parse(line) as { wrapper: number; url: string };
        started.push(wrapper);
        const [minio] = childrenOf(wrapper);
        expect(minio).toBeGreaterThan(0);
        started.push(minio!);
        expect((await fetch(`${url}/minio/health/live`)).status).toBe(200);

        holder.kill('SIGKILL');
        expect(await gone(minio!, 10_000)).toBe(true);
        expect(await gone(wrapper, 10_000)).toBe(true);
      } finally {
        // The holder cannot clean up after a SIGKILL: its MinIO data dir is ours to remove,
        // once nothing writes to it any more (also when an assertion above failed).
        holder.kill('SIGKILL');
        for (const pid of started) await gone(pid, 10_000);
        await rm(dataDir, { recursive: true, force: true });
      }
    }, 30_000);
  });
}
