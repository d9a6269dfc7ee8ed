// Runs the MinIO server as a child process (execa) on loopback, waits on its health
// endpoint, and stops it in bounded time. A tiny shell wrapper kills MinIO when our
// process dies, even by SIGKILL: it watches a pipe only we hold open.
import { mkdir } from 'node:fs/promises';
import { execa, type ResultPromise } from 'execa';
import { waitForHttp } from '../util/wait-for-http.ts';

export interface MinioProcessOptions {
  binary: string;
  dataDir: string;
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 is not supported by MinIO's health wait here: pick a free port first (see freePort). */
  port: number;
  rootUser: string;
  rootPassword: string;
  /** @default 'us-east-1' */
  region?: string;
  /** How long to wait for /minio/health/live. @default 30000 */
  readyTimeoutMs?: number;
}

export interface MinioProcess {
  url: string;
  pid: number | undefined;
  /** Last lines MinIO printed (for error messages). */
  output(): string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

// "$@" is minio and its args. fd 3 duplicates the stdin pipe from the parent: when the parent
// exits for any reason the pipe reaches EOF, `cat` returns and MinIO is terminated.
const WRAPPER = `
"$@" </dev/null &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
exec 3<&0
( cat <&3 >/dev/null; kill -TERM "$child" 2>/dev/null ) &
wait "$child"
`;

export async function startMinioProcess(options: MinioProcessOptions): Promise<MinioProcess> {
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.dataDir, { recursive: true });
  const address = `${host.includes(':') ? `[${host}]` : host}:${options.port}`;
  const url = `http://${address}`;
  const lines: string[] = [];
  const child: ResultPromise = execa(
    'sh',
    [
      '-c',
      WRAPPER,
      'minio-wrapper',
      options.binary,
      'server',
      options.dataDir,
      '--address',
      address,
      '--quiet',
    ],
    {
      env: {
        MINIO_ROOT_USER: options.rootUser,
        MINIO_ROOT_PASSWORD: options.rootPassword,
        MINIO_REGION: options.region ?? 'us-east-1',
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
      },
      extendEnv: true,
      stdin: 'pipe',
      all: true,
      reject: false,
      forceKillAfterDelay: 5_000,
    },
  );
  child.all?.on('data', (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 50) lines.splice(0, lines.length - 50);
  });
  let exited = false;
  const exit = child.then((r) => {
    exited = true;
    return r;
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        child.stdin?.end();
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exit;
        clearTimeout(timer);
      }
    })();
    return stopping;
  };

  try {
    await waitForHttp(`${url}/minio/health/live`, {
      timeoutMs: options.readyTimeoutMs ?? 30_000,
      what: 'MinIO',
      abortIf: () => (exited ? `MinIO exited early:\n${lines.slice(-10).join('\n')}` : undefined),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    pid: child.pid,
    output: () => lines.join('\n'),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
