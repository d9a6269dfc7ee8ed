// The guide's bucket on the embedded S3 server with versioning enabled, and S3Storage adapters
// signed as its users: the guide's least-privilege app user, and a restorer that also holds the
// two version actions (as stack/policies/app-user-versions-policy.json grants them).
import { PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { S3Storage } from '../../src/storage/s3-storage.ts';
import { parseIdentityPolicy } from '../../stack/s3/authz/policy-parse.ts';
import type { Identity } from '../../stack/s3/identity.ts';
import { type AccessStack, BUCKET, startAccessStack } from '../s3/access/harness.ts';

export { APP, BUCKET, ROOT } from '../s3/access/harness.ts';

export const RESTORER: Identity = {
  name: 'focusmate-restorer',
  arn: 'arn:aws:iam::000000000000:user/focusmate-restorer',
  accessKeyId: 'AKIARESTORERUSER0001',
  secretAccessKey: 'restorer-secret-key-0000000000000000000001',
  root: false,
};

export interface VersionedBucket extends AsyncDisposable {
  stack: AccessStack;
  /** An adapter on `bucket` (default the guide's) signed as identity; closed on dispose. */
  storageAs(identity: Identity, options?: { listPageSize?: number; bucket?: string }): S3Storage;
}

export async function startVersionedBucket(): Promise<VersionedBucket> {
  const stack = await startAccessStack();
  const made: S3Storage[] = [];
  try {
    await stack.root.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    stack.server.putIdentity(RESTORER, [
      stack.policies.userPolicy,
      {
        name: 'restore-versions',
        policy: parseIdentityPolicy({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['s3:ListBucketVersions', 's3:GetObjectVersion'],
              Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
            },
          ],
        }),
      },
    ]);
  } catch (error) {
    await stack[Symbol.asyncDispose]();
    throw error;
  }
  return {
    stack,
    storageAs(identity, options = {}) {
      const storage = new S3Storage({
        bucket: options.bucket ?? BUCKET,
        region: stack.server.region,
        endpoint: stack.server.url,
        credentials: { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey },
        maxFileSize: 10 * 1024 * 1024,
        listPageSize: options.listPageSize,
        maxAttempts: 1,
      });
      made.push(storage);
      return storage;
    },
    async [Symbol.asyncDispose]() {
      for (const storage of made) await storage.close();
      await stack[Symbol.asyncDispose]();
    },
  };
}
