// `npm run dev:stack` as a user meets it: the ready banner, data that survives a restart,
// --ephemeral and --reset, clear errors that name the fix, and a graceful SIGTERM.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RANDOM_PORTS, runDevStack, urlOf } from './dev-stack-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dev-stack-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ROOT = { accessKeyId: 'stackroot', secretAccessKey: 'stackroot-secret-key' };
const client = (url: string) =>
  new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials: ROOT });

async function putAndStop(dataArgs: string[], key: string): Promise<void> {
  const run = runDevStack([...RANDOM_PORTS, ...dataArgs]);
  await run.waitFor(/ready in \d+ ms/);
  const s3 = client(urlOf(run.output, 'S3 API'));
  await s3.send(new PutObjectCommand({ Bucket: 'focusmate-uploads', Key: key, Body: 'kept' }));
  s3.destroy();
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  expect(run.output.join('\n')).toContain('stopped.');
}

async function read(dataArgs: string[], key: string): Promise<string | undefined> {
  const run = runDevStack([...RANDOM_PORTS, ...dataArgs]);
  await run.waitFor(/ready in \d+ ms/);
  const s3 = client(urlOf(run.output, 'S3 API'));
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: 'focusmate-uploads', Key: key }));
    return await out.Body!.transformToString();
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  } finally {
    s3.destroy();
    run.child.kill('SIGTERM');
    await run.exited;
  }
}

describe('npm run dev:stack', () => {
  it('prints one ready block with every endpoint, the credentials, the env file and the data directory', async () => {
    const data = join(dir, 'banner');
    const run = runDevStack([...RANDOM_PORTS, '--data-dir', data]);
    await run.waitFor(/Stop: Ctrl-C/);
    const text = run.output.join('\n');
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
    const info = await fetch(`${urlOf(run.output, 'Console')}/api/v1/info`);
    expect(info.status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('keeps objects across a restart, and --reset starts clean', async () => {
    const data = ['--data-dir', join(dir, 'persist')];
    await putAndStop(data, 'kept.txt');
    expect(await read(data, 'kept.txt')).toBe('kept');
    expect(await read([...data, '--reset'], 'kept.txt')).toBeUndefined();
  });

  it('--ephemeral keeps nothing', async () => {
    const data = ['--ephemeral', '--data-dir', join(dir, 'never-written')];
    await putAndStop(data, 'gone.txt');
    expect(await read(data, 'gone.txt')).toBeUndefined();
  });

  it('names the port and the flag when a port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = runDevStack([
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
      expect(await run.exited).toBe(1);
      const text = run.output.join('\n');
      expect(text).toContain(`Port ${port} (S3 API) is already in use`);
      expect(text).toContain('--s3-port');
    } finally {
      blocker.close();
    }
  });

  it('names the variable when the env file is invalid or missing', async () => {
    const bad = join(dir, 'bad.env');
    await writeFile(bad, 'AWS_S3_BUCKET=\nAWS_ACCESS_KEY_ID=AKIA\n');
    const run = runDevStack([...RANDOM_PORTS, '--ephemeral', '--app-env', bad]);
    expect(await run.exited).toBe(1);
    expect(run.output.join('\n')).toMatch(/AWS_S3_BUCKET is missing or empty/);

    const missing = runDevStack([...RANDOM_PORTS, '--ephemeral', '--app-env', join(dir, 'nope.env')]);
    expect(await missing.exited).toBe(1);
    expect(missing.output.join('\n')).toMatch(/Cannot read the env file .*nope\.env/);
  });

  it('refuses a data directory it cannot write, naming the alternatives', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, '');
    await chmod(file, 0o444);
    const run = runDevStack([...RANDOM_PORTS, '--data-dir', join(file, 'sub')]);
    expect(await run.exited).toBe(1);
    expect(run.output.join('\n')).toMatch(/Cannot write the data directory .*--ephemeral/);
  });

  it('refuses a non-loopback STACK_HOST unless --host is given, and rejects unknown flags', async () => {
    const run = runDevStack([...RANDOM_PORTS, '--ephemeral'], { STACK_HOST: '0.0.0.0' });
    expect(await run.exited).toBe(1);
    expect(run.output.join('\n')).toMatch(/not a loopback address.*--host 0\.0\.0\.0/);

    const unknown = runDevStack(['--bogus']);
    expect(await unknown.exited).toBe(1);
    expect(unknown.output.join('\n')).toMatch(/Unknown option '--bogus'/);
  });

  it('says clearly that the docker engine needs a Docker engine and names the others', async () => {
    const run = runDevStack([...RANDOM_PORTS, '--ephemeral', '--engine', 'docker'], {
      DOCKER_HOST: 'unix:///nonexistent.sock',
    });
    expect(await run.exited).toBe(1);
    expect(run.output.join('\n')).toMatch(/needs a Docker engine.*--engine embedded.*--engine minio/s);
  });
});
