// Running real S3 clients (Debian's aws, s3cmd, rclone, python3 + boto3) against the embedded
// server: absolute binary paths, a clean environment without the host's CA-bundle and AWS
// variables, and a private HOME per test file.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { ROOT } from '../s3/fixtures.ts';

export interface ClientHarness {
  srv: S3Server;
  dir: string;
  /** A file of `size` deterministic bytes, with its MD5. */
  file(name: string, size: number): Promise<{ path: string; md5: string }>;
  run(bin: string, args: string[], env?: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

export function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

export async function clientHarness(): Promise<ClientHarness> {
  const srv = await startS3Server({ identities: [ROOT] });
  const dir = await mkdtemp(join(tmpdir(), 's3-client-'));
  const baseEnv: Record<string, string> = {
    PATH: '/usr/bin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    TMPDIR: dir,
  };
  return {
    srv,
    dir,
    async file(name, size) {
      const b = Buffer.alloc(size);
      let x = size;
      for (let i = 0; i < size; i++) {
        x = (x * 1_103_515_245 + 12_345) >>> 0;
        b[i] = x >>> 24;
      }
      const path = join(dir, name);
      await writeFile(path, b);
      return { path, md5: md5(b) };
    },
    async run(bin, args, env = {}) {
      const r = await execa(bin, args, {
        env: { ...baseEnv, ...env },
        extendEnv: false,
        cwd: dir,
        reject: false,
        timeout: 60_000,
      });
      if (r.exitCode !== 0) {
        throw new Error(
          `${bin} ${args.join(' ')} exited ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
        );
      }
      return r.stdout;
    },
    async close() {
      await srv.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
