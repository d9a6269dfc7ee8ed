// `--engine docker`: MinIO in a container (testcontainers), seeded like the others. IAM goes
// through the local pinned mc client against the published port. The container and mc code
// (execa and kin) is imported when this engine starts: every stack imports this file.

import { StackConfigError } from '../config/errors.ts';
import { resolveBinary } from '../minio/binaries.ts';
import type { Credentials, S3Engine } from './types.ts';

export async function startDockerEngine(options: {
  port: number;
  region: string;
  root: Credentials;
}): Promise<S3Engine> {
  const { startDockerMinio } = await import('../docker/docker-minio.ts');
  const { provisionMinioUser } = await import('../minio/mc-admin.ts');
  const container = await startDockerMinio({
    port: options.port,
    rootUser: options.root.accessKeyId,
    rootPassword: options.root.secretAccessKey,
    region: options.region,
  });
  return {
    kind: 'docker',
    url: container.url,
    region: options.region,
    root: options.root,
    // Default encryption needs a KMS configured in MinIO, which the stack does not set up.
    supports: { publicAccessBlock: false, cors: false, encryption: false, abortIncompleteUploads: false },
    async provisionUser(user, policy) {
      const mc = resolveBinary('mc');
      if (!mc) {
        await container.stop();
        throw new StackConfigError(
          'ENGINE_UNAVAILABLE',
          'Seeding MinIO users needs mc: run `npm run stack:install-minio`.',
        );
      }
      await provisionMinioUser(
        {
          mcBinary: mc.path,
          url: container.url,
          rootUser: options.root.accessKeyId,
          rootPassword: options.root.secretAccessKey,
        },
        user,
        { name: policy.name, document: JSON.parse(policy.json) },
      );
    },
    stop: () => container.stop(),
  };
}
