// `--engine docker`: MinIO in a container via testcontainers, for machines with a Docker
// engine. Where none is reachable we fail at once, naming the engines that do work here.
import { StackConfigError } from '../config/errors.ts';

/** Docker Hub deleted minio/minio in 2026; Quay still serves the archived community images. */
export const MINIO_IMAGE = 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z';

export interface DockerMinioOptions {
  /** Host port to publish MinIO's 9000 on (0 = any free port). */
  port: number;
  rootUser: string;
  rootPassword: string;
  /** @default 'us-east-1' */
  region?: string;
}

export interface DockerMinio {
  url: string;
  containerId: string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Throws ENGINE_UNAVAILABLE unless a container runtime answers. */
export async function assertDockerAvailable(): Promise<void> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (err) {
    throw new StackConfigError(
      'ENGINE_UNAVAILABLE',
      `--engine docker needs a Docker engine, and none is reachable (${(err as Error).message}). ` +
        'Use --engine embedded (the default, no dependencies) or --engine minio (runs MinIO built from source; ' +
        'npm run stack:install-minio).',
    );
  }
}

export async function startDockerMinio(options: DockerMinioOptions): Promise<DockerMinio> {
  await assertDockerAvailable();
  const { GenericContainer, Wait } = await import('testcontainers');
  const exposed = options.port === 0 ? 9000 : { container: 9000, host: options.port };
  const container = await new GenericContainer(MINIO_IMAGE)
    .withEnvironment({
      MINIO_ROOT_USER: options.rootUser,
      MINIO_ROOT_PASSWORD: options.rootPassword,
      MINIO_REGION: options.region ?? 'us-east-1',
      MINIO_BROWSER: 'off',
    })
    .withCommand(['server', '/data'])
    .withExposedPorts(exposed)
    // The cluster check answers 503 until the object layer and IAM are up (live answers 200 before).
    .withWaitStrategy(Wait.forHttp('/minio/health/cluster', 9000).withStartupTimeout(60_000))
    .start();
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= container.stop({ timeout: 10_000 }).then(() => undefined);
    return stopped;
  };
  return {
    url: `http://${container.getHost()}:${container.getMappedPort(9000)}`,
    containerId: container.getId(),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
