// The filesystem sync behind record log checkpoints (sync-fs.ts): `sync -f` run by one
// long-lived shell. Its answers come back in order, a failure is reported with what `sync`
// said and does not stop later syncs, and an idle helper does not hold the process open.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncFilesystem, syncFsAvailable } from '../../stack/s3/storage/sync-fs.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sync-fs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('syncFilesystem', () => {
  it('syncs, and the probe says it works here', async () => {
    await expect(syncFilesystem(dir)).resolves.toBeUndefined();
    await expect(syncFsAvailable(dir)).resolves.toBe(true);
  });

  it('answers concurrent syncs each in turn, a failure among them with what sync said', async () => {
    const missing = join(dir, 'no-such-dir');
    const results = await Promise.allSettled([
      syncFilesystem(dir),
      syncFilesystem(missing),
      syncFilesystem(dir),
      syncFilesystem(`${dir}/./`),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const err = (results[1] as PromiseRejectedResult).reason as NodeJS.ErrnoException;
    expect(err.code).toBe('ESYNCFS');
    expect(err.message).toContain(missing);
    expect(err.message).toMatch(/No such file or directory/);
    // The helper lives on after a failure.
    await expect(syncFilesystem(dir)).resolves.toBeUndefined();
  });

  it('takes a directory named like an option, or with spaces and quotes, as a directory', async () => {
    const { mkdir } = await import('node:fs/promises');
    const odd = join(dir, '-f "it\'s" $(x)');
    await mkdir(odd);
    await expect(syncFilesystem(odd)).resolves.toBeUndefined();
  });

  it('refuses a directory name holding a newline (one name per line)', async () => {
    await expect(syncFilesystem(`${dir}\nx`)).rejects.toThrow(/newline/);
  });

  it('keeps each answer with its request when sync says something with a carriage return', async () => {
    // A `sync` that fails for names holding "fail" and echoes the name raw, as busybox's does:
    // a carriage return in it once shifted every later answer onto the wrong request.
    const bin = join(dir, 'fake-bin');
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, 'sync'),
      '#!/bin/sh\nfor a; do d="$a"; done\ncase "$d" in *fail*) printf "sync: error opening %s\\n" "$d" >&2; exit 1;; esac\nexit 0\n',
      { mode: 0o755 },
    );
    const script = [
      `import { syncFilesystem } from ${JSON.stringify(new URL('../../stack/s3/storage/sync-fs.ts', import.meta.url).href)};`,
      `const r = await Promise.allSettled(['/data/x\\ry-fail', '/data/ok', '/data/fail-now', '/data/warn'].map((d) => syncFilesystem(d)));`,
      `console.log(JSON.stringify(r.map((x) => x.status === 'fulfilled' ? 'ok' : x.reason.message)));`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 10_000,
      env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` },
    });
    const [first, ok, failNow, warn] = JSON.parse(stdout) as string[];
    expect(first).toMatch(/^sync -f \/data\/x\ry-fail failed: sync: error opening \/data\/x y-fail/);
    expect(ok).toBe('ok');
    expect(failNow).toMatch(/^sync -f \/data\/fail-now failed: sync: error opening \/data\/fail-now/);
    expect(warn).toBe('ok');
  });

  it('does not hold a process open once idle', async () => {
    const script = [
      `import { syncFilesystem } from ${JSON.stringify(new URL('../../stack/s3/storage/sync-fs.ts', import.meta.url).href)};`,
      `await syncFilesystem(${JSON.stringify(dir)});`,
      `console.log('synced');`,
    ].join('\n');
    // Exits by itself once the sync is answered; the timeout fails the test if it hangs.
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 10_000,
    });
    expect(stdout.trim()).toBe('synced');
  });
});
