// `npm run demo` as a user runs it: a child process under the same Node, in a temporary
// directory with a minimal environment, so it can never reach a developer's real dev stack
// on 9000/8025. Self-contained mode starts its own stack; "dev stack" mode is pointed at a
// stack this test starts on random ports, and the test checks that stack got the demo's mail
// and objects.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvFile } from '../../stack/config/env-file.ts';
import { REPO_ENV_FILE, startStack } from '../../stack/stack.ts';

const DEMO = fileURLToPath(new URL('../../scripts/demo.ts', import.meta.url));
const FLOWS = [
  '[1/6] Verification document submitted',
  '[2/6] Verification approved',
  '[3/6] Verification rejected',
  '[4/6] Team invitation',
  '[5/6] Chat attachment',
  '[6/6] Team profile image',
];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runDemo(args: string[]) {
  return execa(process.execPath, [DEMO, ...args], {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', HOME: dir, TMPDIR: dir, LANG: 'C.UTF-8' },
    extendEnv: false,
    reject: false,
    timeout: 30_000,
  });
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function writeEnvFile(name: string, env: Record<string, string>): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    `${Object.entries(env)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n')}\n`,
  );
  return path;
}

describe('npm run demo', () => {
  it('self-contained: starts its own stack, narrates every flow, exits 0', async () => {
    const result = await runDemo(['--own-stack']);

    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const output = result.stdout;
    expect(output).toMatch(
      /Stack: started a temporary stack on random ports, in memory \(S3 http:\/\/127\.0\.0\.1:\d+, console (http:\/\/127\.0\.0\.1:\d+)\)/,
    );
    const consoleUrl = /console (http:\/\/127\.0\.0\.1:\d+)\)/.exec(output)![1];
    expect(output).toContain(
      `See them in the console: emails at ${consoleUrl}/#/mail, objects at ${consoleUrl}/#/storage`,
    );
    for (const flow of FLOWS) expect(output).toContain(flow);
    expect(output).toMatch(
      /s3:\/\/focusmate-uploads\/verifications\/focus-study-[0-9a-f]{6}\/[0-9a-f-]{36}-사업자등록증\.pdf/,
    );
    expect(output).toMatch(/An anonymous visitor is turned away: .* → 403 AccessDenied/);
    expect(output).toMatch(
      /An anonymous visitor can load it: .*\/teams\/focus-study-[0-9a-f]{6}\/profile\/.*\.png → 200/,
    );
    expect(output).toContain('"[Focus Mate] \'포커스 스터디\' 팀 인증 요청이 접수되었습니다"');
    expect(output).toContain('"[Focus Mate] \'새벽 코딩 클럽\' 팀 인증이 반려되었습니다"');
    expect(output).toMatch(
      /Email to jisu\.park@example\.com over TLSv1\.3 \(STARTTLS\), AUTH as dev@focusmate\.local/,
    );
    expect(output).toMatch(
      /Room members get a presigned link valid for 7 days; it works \(200, same bytes\)/,
    );
    expect(output).toMatch(/Done: 6 flows, 4 objects stored, 5 emails delivered/);
  });

  it('uses a running stack it finds through the env file and the console URL', async () => {
    await using stack = await startStack();
    const envFile = await writeEnvFile('.env.running', stack.env);

    const result = await runDemo(['--app-env', envFile, '--console-url', stack.consoleUrl]);

    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      `Stack: using the running dev stack (S3 ${stack.s3.url}, console ${stack.consoleUrl})`,
    );
    for (const flow of FLOWS) expect(result.stdout).toContain(flow);
    // The demo's mail and objects are in *this* stack.
    const recipients = stack.mail.messages().flatMap((m) => m.session.rcptTo);
    expect(recipients.sort()).toEqual([
      'donghyun.jung@example.com',
      'donghyun.jung@example.com',
      'jisu.park@example.com',
      'minji.kim@example.com',
      'minji.kim@example.com',
    ]);
    const keys = (await stack.s3.inspect.listObjects(stack.s3.bucket)).map((o) => o.key.split('/')[0]);
    expect(keys.sort()).toEqual(['chat', 'teams', 'verifications', 'verifications']);
    expect(result.stdout).toContain(`See them in the console: emails at ${stack.consoleUrl}/#/mail`);
  });

  it('refuses half a stack (S3 down, console up) with a message naming both and the fix', async () => {
    await using stack = await startStack();
    const port = await closedPort();
    const envFile = await writeEnvFile('.env.half', {
      ...stack.env,
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
    });

    const result = await runDemo(['--app-env', envFile, '--console-url', stack.consoleUrl]);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`no S3 server answers at http://127.0.0.1:${port}`);
    expect(result.stderr).toContain(`a mail API answers at ${stack.consoleUrl}`);
    expect(result.stderr).toContain('--own-stack');
    expect(stack.mail.messages()).toEqual([]);
  });

  it('fails clearly on an env file the app cannot run with, naming the variable', async () => {
    const envFile = await writeEnvFile('.env.invalid', {
      ...readEnvFile(REPO_ENV_FILE),
      STORAGE_MAX_FILE_SIZE: '10MB',
    });

    const result = await runDemo(['--own-stack', '--app-env', envFile]);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('demo failed: Invalid configuration');
    expect(result.stderr).toContain(
      'STORAGE_MAX_FILE_SIZE="10MB": expected a positive whole number of bytes',
    );
    expect(result.stdout).toBe('');
  });

  it('fails clearly on an env file that does not exist', async () => {
    const missing = join(dir, 'missing.env');

    const result = await runDemo(['--app-env', missing]);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`demo failed: Cannot read the env file ${missing} (ENOENT)`);
    expect(result.stdout).toBe('');
  });
});
