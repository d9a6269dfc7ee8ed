// `--engine docker`: MinIO in a container (testcontainers), seeded like the others. IAM goes
// through the local pinned mc client against the published port.

import { StackConfigError } from '../config/errors.ts';
import { startDockerMinio } from '../docker/docker-minio.ts';
import { resolveBinary } from '../minio/binaries.ts';
import { provisionMinioUser } from '../minio/mc-admin.ts';
import type { Credentials, S3Engine } from './types.ts';

export async function startDockerEngine(options: {
  port: number;
  region: string;
  root: Credentials;
}): Promise<S3Engine> {
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
