// IAM on MinIO goes through its admin API, whose request bodies are encrypted with the
// root secret (madmin); rather than re-implement that, we drive the pinned `mc` client.
// The alias is passed as MC_HOST_<alias>, so no mc config file is written anywhere.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface McTarget {
  mcBinary: string;
  url: string;
  rootUser: string;
  rootPassword: string;
}

function aliasEnv(target: McTarget): Record<string, string> {
  const u = new URL(target.url);
  const creds = `${encodeURIComponent(target.rootUser)}:${encodeURIComponent(target.rootPassword)}`;
  return { MC_HOST_stack: `${u.protocol}//${creds}@${u.host}`, MC_NO_COLOR: '1' };
}

async function mc(target: McTarget, args: string[], configDir: string): Promise<string> {
  const result = await execa(target.mcBinary, ['--config-dir', configDir, '--json', ...args], {
    env: aliasEnv(target),
    reject: false,
    timeout: 30_000,
  });
  if (result.exitCode !== 0) {
    const detail = String(result.stdout || result.stderr).trim();
    throw new Error(`mc ${args.join(' ')} failed (exit ${result.exitCode}): ${detail}`);
  }
  return String(result.stdout);
}

/**
 * Creates (or updates) an IAM user on MinIO and binds it to exactly one named policy,
 * as the guide does on AWS with an IAM user and an attached policy.
 */
export async function provisionMinioUser(
  target: McTarget,
  user: { accessKeyId: string; secretAccessKey: string },
  policy: { name: string; document: unknown },
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stack-mc-'));
  try {
    const policyFile = join(dir, 'policy.json');
    await writeFile(policyFile, JSON.stringify(policy.document));
    await mc(target, ['admin', 'user', 'add', 'stack', user.accessKeyId, user.secretAccessKey], dir);
    await mc(target, ['admin', 'policy', 'create', 'stack', policy.name, policyFile], dir);
    try {
      await mc(target, ['admin', 'policy', 'attach', 'stack', policy.name, '--user', user.accessKeyId], dir);
    } catch (err) {
      // Re-seeding a persisted data dir: the policy is already attached, which mc reports as an error.
      if (!/already attached|policy change is already in effect/i.test(String(err))) throw err;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
