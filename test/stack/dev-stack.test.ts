// `npm run dev:stack` as a user meets it: the ready banner, data that survives a restart,
// --ephemeral and --reset, clear errors that name the fix. Driven in-process through
// runDevStack (the script is a thin wrapper); one test runs the real script and stops it
// with SIGTERM.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDevStack } from '../../stack/cli/dev-stack.ts';
import { REPO_ENV_FILE, type Stack } from '../../stack/stack.ts';
import { RANDOM_PORTS, runDevStack as spawnDevStack, urlOf } from './dev-stack-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dev-stack-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  lines: string[];
  text(): string;
  /** The started stack; rejects with the output if the command exits first. */
  ready: Promise<Stack>;
  /** Stops it as the first Ctrl-C would; resolves with the exit code. */
  stop(): Promise<number>;
  exitCode: Promise<number>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const lines: string[] = [];
  const push = (l: string) => lines.push(...l.split('\n'));
  const stop = new AbortController();
  let onReady!: (stack: Stack) => void;
  const readySignal = new Promise<Stack>((resolve) => {
    onReady = resolve;
  });
  // A scratch cwd keeps the repository clean (an --ephemeral stack still keeps its CA in
  // <cwd>/.stack/ca); the app env is the repository's unless the test names another.
  const appEnv = args.includes('--app-env') ? [] : ['--app-env', REPO_ENV_FILE];
  const exitCode = runDevStack([...args, ...appEnv], env, dir, {
    log: push,
    error: push,
    stop: stop.signal,
    onReady,
  });
  const ready = Promise.race([
    readySignal,
    exitCode.then((code) => {
      throw new Error(`dev:stack exited ${code} before it was ready:\n${lines.join('\n')}`);
    }),
  ]);
  // Error-path tests await exitCode, not ready: keep its rejection from going unhandled.
  ready.catch(() => {});
  return {
    lines,
    text: () => lines.join('\n'),
    ready,
    exitCode,
    stop: () => {
      stop.abort('SIGTERM');
      return exitCode;
    },
  };
}

const ROOT = { accessKeyId: 'stackroot', secretAccessKey: 'stackroot-secret-key' };
const client = (url: string) =>
  new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials: ROOT });

async function put(data: string[], key: string): Promise<void> {
  const r = run([...RANDOM_PORTS, ...data]);
  const stack = await r.ready;
  const s3 = client(stack.s3.url);
  await s3.send(new PutObjectCommand({ Bucket: 'focusmate-uploads', Key: key, Body: 'kept' }));
  s3.destroy();
  expect(await r.stop()).toBe(0);
}

async function read(data: string[], key: string): Promise<string | undefined> {
  const r = run([...RANDOM_PORTS, ...data]);
  const stack = await r.ready;
  const s3 = client(stack.s3.url);
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: 'focusmate-uploads', Key: key }));
    return await out.Body!.transformToString();
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  } finally {
    s3.destroy();
    await r.stop();
  }
}

describe('npm run dev:stack', () => {
  it('the real script prints one ready block with every endpoint, serves, and exits 0 on SIGTERM', async () => {
    const data = join(dir, 'banner');
    const child = spawnDevStack([...RANDOM_PORTS, '--data-dir', data]);
    await child.waitFor(/Stop: Ctrl-C/);
    const text = child.output.join('\n');
    expect(text).toMatch(/ready in \d+ ms \(engine: embedded\)/);
    for (const label of [
      'S3 API',
      'SMTP ',
      'SMTPS',
      'Console',
      'Root',
      'App user',
      'CA',
      'Env file',
      'Data',
    ]) {
      expect(text).toContain(label);
    }
    expect(text).toContain(data);
    expect(text).toContain('AKIAFOCUSMATELOCAL01');
    // Random ports differ from .env.local, so the banner says which values the app must use.
    expect(text).toMatch(/AWS_ENDPOINT_URL_S3=http:\/\/127\.0\.0\.1:\d+/);
    const info = await fetch(`${urlOf(child.output, 'Console')}/api/v1/info`);
    expect(info.status).toBe(200);
    child.child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.output.join('\n')).toContain('stopped.');
  });

  it('prints events as they happen: stored objects and denied requests with the reason', async () => {
    const r = run([...RANDOM_PORTS, '--ephemeral']);
    const stack = await r.ready;
    const s3 = client(stack.s3.url);
    await s3.send(
      new PutObjectCommand({ Bucket: 'focusmate-uploads', Key: 'teams/t1/profile/a.png', Body: 'x' }),
    );
    s3.destroy();
    const logged = new Promise<void>((resolve) => stack.events.once('access-denied', () => resolve()));
    const denied = await fetch(`${stack.s3.url}/focusmate-uploads/verifications/t1/doc.pdf`);
    await denied.body?.cancel();
    await logged;
    expect(r.text()).toMatch(/stored {3}s3:\/\/focusmate-uploads\/teams\/t1\/profile\/a\.png \(1 bytes\)/);
    expect(r.text()).toMatch(/DENIED {3}anonymous s3:GetObject .*no statement in the bucket policy allows/);
    expect(await r.stop()).toBe(0);
  });

  it('keeps objects across a restart, and --reset starts clean', async () => {
    const data = ['--data-dir', join(dir, 'persist')];
    await put(data, 'kept.txt');
    expect(await read(data, 'kept.txt')).toBe('kept');
    expect(await read([...data, '--reset'], 'kept.txt')).toBeUndefined();
  });

  it('--versioning and --lifecycle seed the retention settings; versions survive a restart', async () => {
    const data = ['--data-dir', join(dir, 'versioned'), '--versioning', '--lifecycle', 'default'];
    const first = run([...RANDOM_PORTS, ...data]);
    const stack = await first.ready;
    expect(first.text()).toMatch(
      /Bucket +versioning on \(app user may list and read versions\); lifecycle rules from stack\/policies\/lifecycle\.json/,
    );
    const s3 = client(stack.s3.url);
    const Bucket = 'focusmate-uploads';
    const Key = 'teams/t1/profile/logo.png';
    const v1 = (await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'one' }))).VersionId;
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'two' }));
    const rules = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(rules.Rules?.map((r) => r.ID)).toEqual([
      'expire-chat-attachments',
      'expire-old-versions',
      'abort-stale-uploads',
    ]);
    s3.destroy();
    expect(await first.stop()).toBe(0);

    const second = run([...RANDOM_PORTS, ...data]);
    const restarted = await second.ready;
    const again = client(restarted.s3.url);
    try {
      const old = await again.send(new GetObjectCommand({ Bucket, Key, VersionId: v1 }));
      expect(await old.Body!.transformToString()).toBe('one');
      const versioning = await again.send(new GetBucketVersioningCommand({ Bucket }));
      expect(versioning.Status).toBe('Enabled');
      // The schedule runs every minute; moving the clock runs it now, and each action is logged.
      await again.send(new PutObjectCommand({ Bucket, Key: 'chat/r1/old.pdf', Body: 'x' }));
      await restarted.advanceTime(31 * 86_400_000);
      expect(second.text()).toMatch(
        /lifecycle expired s3:\/\/focusmate-uploads\/chat\/r1\/old\.pdf \(rule expire-chat-attachments\)/,
      );
    } finally {
      again.destroy();
      await second.stop();
    }
  });

  it('--ephemeral keeps nothing', async () => {
    const data = ['--ephemeral', '--data-dir', join(dir, 'never-written')];
    await put(data, 'gone.txt');
    expect(await read(data, 'gone.txt')).toBeUndefined();
  });

  it('names the port and the flag when a port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = run([
        '--ephemeral',
        '--s3-port',
        String(port),
        '--smtp-port',
        '0',
        '--smtps-port',
        '0',
        '--console-port',
        '0',
      ]);
      expect(await r.exitCode).toBe(1);
      expect(r.text()).toContain(`Port ${port} (S3 API) is already in use`);
      expect(r.text()).toContain('--s3-port');
    } finally {
      blocker.close();
    }
  });

  it('names the variable when the env file is invalid or missing', async () => {
    const bad = join(dir, 'bad.env');
    await writeFile(bad, 'AWS_S3_BUCKET=\nAWS_ACCESS_KEY_ID=AKIA\n');
    const invalid = run([...RANDOM_PORTS, '--ephemeral', '--app-env', bad]);
    expect(await invalid.exitCode).toBe(1);
    expect(invalid.text()).toMatch(/bad\.env: AWS_S3_BUCKET is missing or empty/);

    const missing = run([...RANDOM_PORTS, '--ephemeral', '--app-env', join(dir, 'nope.env')]);
    expect(await missing.exitCode).toBe(1);
    expect(missing.text()).toMatch(/Cannot read the env file .*nope\.env/);
  });

  it('refuses a data directory it cannot write, naming the alternatives', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, '');
    await chmod(file, 0o444);
    const r = run([...RANDOM_PORTS, '--data-dir', join(file, 'sub')]);
    expect(await r.exitCode).toBe(1);
    expect(r.text()).toMatch(/Cannot write the data directory .*--ephemeral/);
  });

  it('refuses a non-loopback STACK_HOST unless --host is given, and rejects unknown flags', async () => {
    const r = run([...RANDOM_PORTS, '--ephemeral'], { STACK_HOST: '0.0.0.0' });
    expect(await r.exitCode).toBe(1);
    expect(r.text()).toMatch(/not a loopback address.*--host 0\.0\.0\.0/);

    const unknown = run(['--bogus']);
    expect(await unknown.exitCode).toBe(1);
    expect(unknown.text()).toMatch(/Unknown option '--bogus'/);
  });

  it('says clearly that the docker engine needs a Docker engine and names the others', async () => {
    const previous = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent.sock';
    try {
      const r = run([...RANDOM_PORTS, '--ephemeral', '--engine', 'docker']);
      expect(await r.exitCode).toBe(1);
      expect(r.text()).toMatch(/needs a Docker engine.*--engine embedded.*--engine minio/s);
    } finally {
      if (previous === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = previous;
    }
  });
});
