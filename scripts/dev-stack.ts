// `npm run dev:stack`: the stack on fixed loopback ports, provisioned from .env.local,
// printing what the app does as it happens. Ctrl-C stops gracefully; a second Ctrl-C exits.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { envOverrides } from '../stack/app-env.ts';
import { banner, deniedLine, mailLine, objectLine } from '../stack/cli/banner.ts';
import { parseStackFlags, USAGE } from '../stack/cli/flags.ts';
import { readEnvFile } from '../stack/config/env-file.ts';
import { StackConfigError } from '../stack/config/errors.ts';
import { isLoopback, resolveStackConfig } from '../stack/config/stack-config.ts';
import { startStack } from '../stack/stack.ts';

/** The subdirectories the stack writes; --reset removes only these (never the CA, never anything else). */
const DATA_SUBDIRS = ['s3', 'mail', 'minio'];

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

async function main(): Promise<number> {
  const started = performance.now();
  const flags = parseStackFlags(process.argv.slice(2));
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const config = resolveStackConfig(flags, process.env, process.cwd());
  if (!isLoopback(config.host)) {
    console.warn(
      `WARNING: listening on ${config.host}: anyone who can reach it can read captured mail and stored files.`,
    );
  }
  const baseEnv = readEnvFile(config.envFile);
  const stateDir = config.dataDir ?? join(process.cwd(), '.stack');
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
  });
  const readyMs = Math.round(performance.now() - started);
  const overrides = envOverrides(baseEnv, stack.env).filter((n) => !sameFile(baseEnv[n], stack.env[n]));
  console.log(banner(stack, config, readyMs, overrides));

  stack.events.on('mail', (m) => console.log(mailLine(m)));
  stack.events.on('object', (e) => console.log(objectLine(e)));
  stack.events.on('access-denied', (entry) => console.log(deniedLine(entry)));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.log(`\n${signal} again: exiting now.`);
        process.exit(1);
      }
      stopping = true;
      console.log(
        `\n${signal}: stopping (finishing in-flight requests and SMTP transactions; Ctrl-C again to force)...`,
      );
      stack.stop().then(
        () => {
          console.log('stopped.');
          resolve(0);
        },
        (err) => {
          console.error('stop failed:', err);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** `.stack/ca/ca.pem` in the env file and the absolute path the stack reports are the same file. */
function sameFile(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  return join(process.cwd(), a) === b || a === b;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof StackConfigError) {
      console.error(`dev:stack: ${err.message}`);
    } else {
      console.error('dev:stack failed:', err);
    }
    process.exit(1);
  },
);
