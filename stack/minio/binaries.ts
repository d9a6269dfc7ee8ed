// Where the MinIO server and client binaries come from. MinIO's community edition ships
// as source only, so we build pinned versions with `go install` into a cache outside the
// repo, and reuse them until the pin changes.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Pinned module versions (Go pseudo-versions of MinIO's main branches). */
export const MINIO_MODULE = 'github.com/minio/minio';
export const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';
export const MC_MODULE = 'github.com/minio/mc';
export const MC_VERSION = 'v0.0.0-20250313080218-cf909e1063a9';

export const MAILPIT_MODULE = 'github.com/axllent/mailpit';
export const MAILPIT_VERSION = 'v1.27.11';

/** MinIO server and client, and Mailpit (the reference the mail API is checked against). */
export type Tool = 'minio' | 'mc' | 'mailpit';

const PINS: Record<Tool, { module: string; version: string; envVar: string }> = {
  minio: { module: MINIO_MODULE, version: MINIO_VERSION, envVar: 'MINIO_BINARY' },
  mc: { module: MC_MODULE, version: MC_VERSION, envVar: 'MC_BINARY' },
  mailpit: { module: MAILPIT_MODULE, version: MAILPIT_VERSION, envVar: 'MAILPIT_BINARY' },
};

export function pinOf(tool: Tool): { module: string; version: string; envVar: string } {
  return PINS[tool];
}

/** `$XDG_CACHE_HOME/offline-stack` (or `~/.cache/offline-stack`). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'offline-stack');
}

/** The directory `go install` writes the pinned binary into (GOBIN). */
export function cachedBinDir(tool: Tool, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), tool, PINS[tool].version);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ResolvedBinary {
  path: string;
  source: 'env' | 'cache' | 'path';
}

/**
 * Finds a usable binary: an explicit `MINIO_BINARY` / `MC_BINARY` first, then the pinned
 * cached build, then one on PATH. Returns undefined when none exists (run the installer).
 */
export function resolveBinary(tool: Tool, env: NodeJS.ProcessEnv = process.env): ResolvedBinary | undefined {
  const explicit = env[PINS[tool].envVar];
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new Error(`${PINS[tool].envVar}=${explicit} is not an executable file.`);
    }
    return { path: explicit, source: 'env' };
  }
  const cached = join(cachedBinDir(tool, env), tool);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, tool))) return { path: join(dir, tool), source: 'path' };
  }
  return undefined;
}
