// `--engine minio`: MinIO built from source, run as our child process, seeded like the
// embedded engine. IAM goes through the pinned mc client (MinIO's admin API). The process
// and mc code (execa and kin) is imported when this engine starts: every stack imports this file.
import { join } from 'node:path';
import { StackConfigError } from '../config/errors.ts';
import { resolveBinary } from '../minio/binaries.ts';
import { freePort } from '../util/free-port.ts';
import type { Credentials, S3Engine } from './types.ts';

export interface MinioEngineOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  region: string;
  /** MinIO always needs a directory; for an ephemeral stack pass a temporary one. */
  dataDir: string;
  root: Credentials;
}

function requireBinary(tool: 'minio' | 'mc'): string {
  const found = resolveBinary(tool);
  if (!found) {
    throw new StackConfigError(
      'ENGINE_UNAVAILABLE',
      `--engine minio needs the ${tool} binary, and none is installed. Run \`npm run stack:install-minio\` ` +
        `(builds the pinned version with go install), or set ${tool === 'minio' ? 'MINIO_BINARY' : 'MC_BINARY'}. ` +
        'The embedded engine (--engine embedded, the default) needs nothing.',
    );
  }
  return found.path;
}

export async function startMinioEngine(options: MinioEngineOptions): Promise<S3Engine> {
  const minio = requireBinary('minio');
  const mc = requireBinary('mc');
  const port = options.port || (await freePort(options.host));
  const { startMinioProcess } = await import('../minio/minio-process.ts');
  const { provisionMinioUser } = await import('../minio/mc-admin.ts');
  const proc = await startMinioProcess({
    binary: minio,
    dataDir: join(options.dataDir, 'minio'),
    host: options.host,
    port,
    rootUser: options.root.accessKeyId,
    rootPassword: options.root.secretAccessKey,
    region: options.region,
  });
  return {
    kind: 'minio',
    url: proc.url,
    region: options.region,
    root: options.root,
    // Default encryption needs a KMS configured in MinIO, which the stack does not set up.
    supports: { publicAccessBlock: false, cors: false, encryption: false, abortIncompleteUploads: false },
    async provisionUser(user, policy) {
      await provisionMinioUser(
        {
          mcBinary: mc,
          url: proc.url,
          rootUser: options.root.accessKeyId,
          rootPassword: options.root.secretAccessKey,
        },
        user,
        { name: policy.name, document: JSON.parse(policy.json) },
      );
    },
    stop: () => proc.stop(),
  };
}
