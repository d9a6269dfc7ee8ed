// Runs the MinIO server as a child process on loopback (supervised: it dies with us), waits
// on its health endpoint, and stops it in bounded time.
import { mkdir } from 'node:fs/promises';
import { startSupervisedProcess } from '../util/supervised-process.ts';

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
  /** How long to wait for /minio/health/cluster. @default 30000 */
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

export async function startMinioProcess(options: MinioProcessOptions): Promise<MinioProcess> {
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.dataDir, { recursive: true });
  const address = `${host.includes(':') ? `[${host}]` : host}:${options.port}`;
  const url = `http://${address}`;
  const proc = await startSupervisedProcess({
    what: 'MinIO',
    command: options.binary,
    args: ['server', options.dataDir, '--address', address, '--quiet'],
    env: {
      MINIO_ROOT_USER: options.rootUser,
      MINIO_ROOT_PASSWORD: options.rootPassword,
      MINIO_REGION: options.region ?? 'us-east-1',
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
    },
    // Not /minio/health/live: it answers 200 as soon as HTTP is up, before the object layer
    // and IAM are (requests then fail with XMinioServerNotInitialized, seen in CI). The
    // cluster check answers 503 until they are.
    readyUrl: `${url}/minio/health/cluster`,
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
  });
  return {
    url,
    pid: proc.pid,
    output: proc.output,
    stop: proc.stop,
    [Symbol.asyncDispose]: proc.stop,
  };
}
