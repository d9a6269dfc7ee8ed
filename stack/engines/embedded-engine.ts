// The default engine: our S3 server in this process, with the stack's identities and the
// policy engine deciding every request.
import { parseIdentityPolicy } from '../s3/authz/index.ts';
import { userArn } from '../s3/identity.ts';
import { startS3Server } from '../s3/server.ts';
import type { Credentials, S3Engine } from './types.ts';

export interface EmbeddedEngineOptions {
  host: string;
  port: number;
  region: string;
  /** null keeps objects in memory. */
  dataDir: string | null;
  root: Credentials;
  /** Largest single PUT accepted. @default 5 GiB */
  maxObjectSize?: number;
}

export async function startEmbeddedEngine(options: EmbeddedEngineOptions): Promise<S3Engine> {
  const server = await startS3Server({
    host: options.host,
    port: options.port,
    region: options.region,
    storage: options.dataDir ? { type: 'disk', dir: options.dataDir } : 'memory',
    identities: [{ name: 'root', arn: userArn('root'), ...options.root, root: true }],
    maxObjectSize: options.maxObjectSize,
  });
  return {
    kind: 'embedded',
    url: server.url,
    region: server.region,
    root: options.root,
    supports: { publicAccessBlock: true, cors: true },
    async provisionUser(user, policy) {
      server.putIdentity(
        {
          name: user.name,
          arn: userArn(user.name),
          accessKeyId: user.accessKeyId,
          secretAccessKey: user.secretAccessKey,
          root: false,
        },
        [{ name: policy.name, policy: parseIdentityPolicy(policy.json) }],
      );
    },
    onObjectEvent(listener) {
      const created = (e: { bucket: string; key: string; object: { size: number } }) =>
        listener({ type: 'object-created', bucket: e.bucket, key: e.key, size: e.object.size });
      const removed = (e: { bucket: string; key: string }) =>
        listener({ type: 'object-removed', bucket: e.bucket, key: e.key });
      server.events.on('object-created', created);
      server.events.on('object-removed', removed);
      return () => {
        server.events.off('object-created', created);
        server.events.off('object-removed', removed);
      };
    },
    onRequest(listener) {
      server.events.on('request', listener);
      return () => server.events.off('request', listener);
    },
    stop: () => server.stop(),
    server,
  };
}
