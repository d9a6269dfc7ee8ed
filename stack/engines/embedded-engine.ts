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
  /** KMS keys SSE-KMS may name (see S3ServerOptions.kmsKeys). @default [] */
  kmsKeys?: string[];
}

export async function startEmbeddedEngine(options: EmbeddedEngineOptions): Promise<S3Engine> {
  const server = await startS3Server({
    host: options.host,
    port: options.port,
    region: options.region,
    storage: options.dataDir ? { type: 'disk', dir: options.dataDir } : 'memory',
    identities: [{ name: 'root', arn: userArn('root'), ...options.root, root: true }],
    maxObjectSize: options.maxObjectSize,
    kmsKeys: options.kmsKeys,
  });
  return {
    kind: 'embedded',
    url: server.url,
    region: server.region,
    root: options.root,
    supports: { publicAccessBlock: true, cors: true, encryption: true, abortIncompleteUploads: true },
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
    keys: {
      async add(userName, key) {
        if (!server.identities().some((i) => i.name === userName && !i.root))
          throw new Error(`No user ${userName} to add a key to`);
        // Without policies putIdentity keeps the ones the user has.
        server.putIdentity({ name: userName, arn: userArn(userName), ...key, root: false });
      },
      async setActive(accessKeyId, active) {
        server.setIdentityActive(accessKeyId, active);
      },
      async remove(accessKeyId) {
        server.removeIdentity(accessKeyId);
      },
      list: () =>
        server.identities().map((i) => ({
          userName: i.name,
          accessKeyId: i.accessKeyId,
          active: i.active !== false,
        })),
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
