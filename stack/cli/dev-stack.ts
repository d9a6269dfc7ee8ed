// The body of `npm run dev:stack`, callable in-process: tests drive it with their own argv,
// env, output and stop signal, and scripts/dev-stack.ts wires it to the real process.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { envOverrides } from '../app-env.ts';
import { readEnvFile } from '../config/env-file.ts';
import { StackConfigError } from '../config/errors.ts';
import { isLoopback, resolveStackConfig } from '../config/stack-config.ts';
import { type Stack, startStack } from '../stack.ts';
import { banner, deniedLine, lifecycleLine, mailLine, objectLine } from './banner.ts';
import { parseStackFlags, USAGE } from './flags.ts';

/** The subdirectories the stack writes; --reset removes only these (never the CA, never anything else). */
const DATA_SUBDIRS = ['s3', 'mail', 'minio'];

export interface DevStackIo {
  log(line: string): void;
  error(line: string): void;
  /** Aborting it stops the stack gracefully (the first Ctrl-C / SIGTERM). */
  stop: AbortSignal;
  /** Called once the stack is ready, with the started handle. */
  onReady?(stack: Stack): void;
}

async function prepareDataDir(dir: string, reset: boolean): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = join(dir, '.write-probe');
    await writeFile(probe, '');
    await rm(probe);
  } catch (err) {
    throw new StackConfigError(
      'DATA_DIR_UNWRITABLE',
      `Cannot write the data directory ${dir} (${(err as NodeJS.ErrnoException).code ?? err}). ` +
        'Fix its permissions, pick another with --data-dir PATH, or run with --ephemeral.',
    );
  }
  if (reset) for (const sub of DATA_SUBDIRS) await rm(join(dir, sub), { recursive: true, force: true });
}

/** `.stack/ca/ca.pem` in the env file and the absolute path the stack reports are the same file. */
function sameFile(cwd: string, a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  return join(cwd, a) === b || a === b;
}

async function serve(argv: string[], env: NodeJS.ProcessEnv, cwd: string, io: DevStackIo): Promise<number> {
  const started = performance.now();
  const flags = parseStackFlags(argv);
  if (flags.help) {
    io.log(USAGE);
    return 0;
  }
  const config = resolveStackConfig(flags, env, cwd);
  if (!isLoopback(config.host)) {
    io.error(
      `WARNING: listening on ${config.host}: anyone who can reach it can read captured mail and stored files.`,
    );
  }
  const baseEnv = readEnvFile(config.envFile);
  const stateDir = config.dataDir ?? join(cwd, '.stack');
  if (config.dataDir) await prepareDataDir(config.dataDir, config.reset);

  const stack = await startStack({
    engine: config.engine,
    host: config.host,
    ports: config.ports,
    dataDir: config.dataDir,
    caDir: join(stateDir, 'ca'),
    env: baseEnv,
    envFile: config.envFile,
    root: config.root,
    bucketPolicy: config.bucketPolicy,
    requireStartTls: config.requireStartTls,
    smtpProfile: config.smtpProfile,
    faults: config.faults,
    versioning: config.versioning,
    lifecycle: config.lifecycle,
  });
  const readyMs = Math.round(performance.now() - started);
  const overrides = envOverrides(baseEnv, stack.env).filter((n) => !sameFile(cwd, baseEnv[n], stack.env[n]));
  io.log(banner(stack, config, readyMs, overrides));
  stack.events.on('mail', (m) => io.log(mailLine(m)));
  stack.events.on('object', (e) => io.log(objectLine(e)));
  stack.events.on('access-denied', (entry) => io.log(deniedLine(entry)));
  stack.events.on('lifecycle', (actions) => {
    for (const a of actions) io.log(lifecycleLine(a));
  });
  io.onReady?.(stack);

  if (!io.stop.aborted)
    await new Promise((resolve) => io.stop.addEventListener('abort', resolve, { once: true }));
  io.log(
    `\n${String(io.stop.reason ?? 'stop')}: stopping (finishing in-flight requests and SMTP transactions; again to force)...`,
  );
  await stack.stop();
  io.log('stopped.');
  return 0;
}

/** Runs the dev stack until `io.stop` aborts; resolves with the exit code. Never throws. */
export async function runDevStack(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  io: DevStackIo,
): Promise<number> {
  try {
    return await serve(argv, env, cwd, io);
  } catch (err) {
    io.error(
      err instanceof StackConfigError
        ? `dev:stack: ${err.message}`
        : `dev:stack failed: ${(err as Error)?.stack ?? err}`,
    );
    return 1;
  }
}
