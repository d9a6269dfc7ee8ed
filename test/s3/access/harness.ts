// An embedded S3 server set up the way the guide sets up AWS: the bucket, its Block Public
// Access flags, bucket policy and CORS rules put through the S3 API as root, and the guide's
// least-privilege app user with its identity policy.
import {
  CreateBucketCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  type BucketPolicyChoice,
  loadStackPolicies,
  type StackPolicies,
} from '../../../stack/policies/load-stack-policies.ts';
import type { CorsRule } from '../../../stack/s3/authz/cors.ts';
import type { Identity } from '../../../stack/s3/identity.ts';
import { type S3Server, type S3ServerOptions, startS3Server } from '../../../stack/s3/server.ts';

export const BUCKET = 'focusmate-uploads';
export const OTHER_BUCKET = 'someone-elses-bucket';

export const ROOT: Identity = {
  name: 'root',
  arn: 'arn:aws:iam::000000000000:root',
  accessKeyId: 'AKIAACCESSROOT000001',
  secretAccessKey: 'access-root-secret-0000000000000000000001',
  root: true,
};

export const APP: Identity = {
  name: 'focusmate-s3-user',
  arn: 'arn:aws:iam::000000000000:user/focusmate-s3-user',
  accessKeyId: 'AKIAACCESSAPPUSER001',
  secretAccessKey: 'access-app-secret-00000000000000000000001',
  root: false,
};

export interface AccessStack extends AsyncDisposable {
  server: S3Server;
  policies: StackPolicies;
  root: S3Client;
  app: S3Client;
  client(identity: Identity, extra?: Partial<S3ClientConfig>): S3Client;
}

export interface AccessStackOptions {
  /** @default 'default' */
  bucketPolicy?: BucketPolicyChoice;
  /** Replaces the CORS rules' origins. */
  corsOrigins?: string[];
  server?: Partial<S3ServerOptions>;
  /** Applied to every client the stack makes (e.g. an HTTPS agent trusting a test CA). */
  clientConfig?: Partial<S3ClientConfig>;
}

export function clientFor(url: string, identity: Identity, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey },
    ...extra,
  });
}

export function corsConfiguration(rules: CorsRule[]) {
  return {
    CORSRules: rules.map((r) => ({
      ID: r.id,
      AllowedOrigins: r.allowedOrigins,
      AllowedMethods: r.allowedMethods,
      AllowedHeaders: r.allowedHeaders,
      ExposeHeaders: r.exposeHeaders,
      MaxAgeSeconds: r.maxAgeSeconds,
    })),
  };
}

/** Seeds a bucket as root through the S3 API, in the order the guide applies it on AWS. */
export async function seedBucket(root: S3Client, bucket: string, policies: StackPolicies): Promise<void> {
  await root.send(new CreateBucketCommand({ Bucket: bucket }));
  await root.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: policies.publicAccessBlock,
    }),
  );
  if (policies.bucketPolicyJson !== undefined) {
    await root.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policies.bucketPolicyJson }));
  }
  await root.send(
    new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: corsConfiguration(policies.cors) }),
  );
}

export async function startAccessStack(o: AccessStackOptions = {}): Promise<AccessStack> {
  const policies = await loadStackPolicies({
    bucket: BUCKET,
    bucketPolicy: o.bucketPolicy ?? 'default',
    corsOrigins: o.corsOrigins,
  });
  const server = await startS3Server({ identities: [ROOT], ...o.server });
  server.putIdentity(APP, [policies.userPolicy]);
  const clients: S3Client[] = [];
  const client = (identity: Identity, extra: Partial<S3ClientConfig> = {}) => {
    const c = clientFor(server.url, identity, { ...o.clientConfig, ...extra });
    clients.push(c);
    return c;
  };
  const root = client(ROOT);
  await seedBucket(root, BUCKET, policies);
  return {
    server,
    policies,
    root,
    app: client(APP),
    client,
    async [Symbol.asyncDispose]() {
      for (const c of clients) c.destroy();
      await server.stop();
    },
  };
}

/** The `<Code>` of an S3 XML error body. */
export function errorCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}

/** Rejects unless `run` fails with an S3 service error; returns it. */
export async function serviceError(
  run: () => Promise<unknown>,
): Promise<Error & { name: string; $metadata: { httpStatusCode?: number; requestId?: string } }> {
  try {
    await run();
  } catch (err) {
    if ((err as { $metadata?: unknown }).$metadata) return err as never;
    throw err;
  }
  throw new Error('expected the request to fail');
}
