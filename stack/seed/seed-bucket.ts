// Seeds what the guide sets up in AWS, through the S3 API as the root identity, so the
// same code provisions the embedded engine and MinIO: the bucket in its region, Block
// Public Access, the bucket policy and the CORS rule. Safe on an already seeded engine.
import {
  type BucketLifecycleConfiguration,
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Credentials, EngineSupports } from '../engines/types.ts';
import type { StackPolicies } from '../policies/load-stack-policies.ts';

export interface SeedTarget {
  url: string;
  /** What the engine implements (MinIO has neither bucket CORS nor Block Public Access). */
  supports: EngineSupports;
  /** The region the engine answers for (service-level calls are signed for it). */
  region: string;
  root: Credentials;
}

/** Default encryption to seed on the bucket. */
export interface SeedEncryption {
  algorithm: 'AES256' | 'aws:kms';
  /** Key id, key ARN or alias; omitted with aws:kms, S3 uses the AWS managed key alias/aws/s3. */
  kmsKeyId?: string;
  /** @default false */
  bucketKey?: boolean;
}

export interface SeedResult {
  /** What an engine could not take, in plain words (MinIO lacks bucket CORS and Block Public Access). */
  skipped: string[];
}

/** The rules minus the actions the engine refuses (reported in `skipped`); rules left empty go. */
function lifecycleFor(
  supports: EngineSupports,
  config: BucketLifecycleConfiguration,
  skipped: string[],
): BucketLifecycleConfiguration {
  if (supports.abortIncompleteUploads) return config;
  const rules = (config.Rules ?? []).flatMap((rule) => {
    if (!rule.AbortIncompleteMultipartUpload) return [rule];
    skipped.push(
      `lifecycle rule ${rule.ID ?? ''}: AbortIncompleteMultipartUpload (MinIO refuses it; it removes stale uploads itself after 24 h)`,
    );
    const { AbortIncompleteMultipartUpload: _dropped, ...rest } = rule;
    const acts = rest.Expiration || rest.NoncurrentVersionExpiration || rest.Transitions?.length;
    return acts ? [rest] : [];
  });
  return { Rules: rules };
}

function errorName(err: unknown): string {
  return (err as { name?: string; Code?: string }).name ?? '';
}

/** The guide's "versioning and lifecycle policies" recommendation, seeded when asked for. */
export interface SeedRetention {
  /** Enable versioning (PutBucketVersioning). @default false */
  versioning?: boolean;
  /** Lifecycle rules in the AWS CLI / SDK shape (PutBucketLifecycleConfiguration). @default none */
  lifecycle?: BucketLifecycleConfiguration;
}

export async function seedBucket(
  target: SeedTarget,
  bucket: { name: string; region: string },
  policies: StackPolicies,
  encryption?: SeedEncryption,
  retention: SeedRetention = {},
): Promise<SeedResult> {
  const skipped: string[] = [];
  const client = new S3Client({
    endpoint: target.url,
    region: bucket.region,
    forcePathStyle: true,
    credentials: target.root,
    maxAttempts: 1,
  });
  try {
    try {
      await client.send(
        new CreateBucketCommand({
          Bucket: bucket.name,
          CreateBucketConfiguration:
            bucket.region === 'us-east-1'
              ? undefined
              : { LocationConstraint: bucket.region as BucketLocationConstraint },
        }),
      );
    } catch (err) {
      if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(errorName(err))) throw err;
    }
    // Order matters as on AWS: relax Block Public Access before putting a public policy.
    if (target.supports.publicAccessBlock) {
      await client.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket.name,
          PublicAccessBlockConfiguration: policies.publicAccessBlock,
        }),
      );
    } else {
      skipped.push('Block Public Access (not implemented by this engine)');
    }
    if (policies.bucketPolicyJson) {
      await client.send(
        new PutBucketPolicyCommand({ Bucket: bucket.name, Policy: policies.bucketPolicyJson }),
      );
    } else {
      await client.send(new DeleteBucketPolicyCommand({ Bucket: bucket.name }));
    }
    if (!target.supports.cors) {
      skipped.push('bucket CORS (not implemented by this engine)');
    } else {
      await client.send(
        new PutBucketCorsCommand({
          Bucket: bucket.name,
          CORSConfiguration: {
            CORSRules: policies.cors.map((r) => ({
              ID: r.id,
              AllowedOrigins: r.allowedOrigins,
              AllowedMethods: r.allowedMethods,
              AllowedHeaders: r.allowedHeaders,
              ExposeHeaders: r.exposeHeaders,
              MaxAgeSeconds: r.maxAgeSeconds,
            })),
          },
        }),
      );
    }
    if (encryption && !target.supports.encryption) {
      skipped.push('default encryption (not supported by this engine without a KMS)');
    } else if (encryption) {
      await client.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket.name,
          ServerSideEncryptionConfiguration: {
            Rules: [
              {
                ApplyServerSideEncryptionByDefault: {
                  SSEAlgorithm: encryption.algorithm,
                  KMSMasterKeyID: encryption.kmsKeyId,
                },
                BucketKeyEnabled: encryption.bucketKey ?? false,
              },
            ],
          },
        }),
      );
    }
    if (retention.versioning) {
      await client.send(
        new PutBucketVersioningCommand({
          Bucket: bucket.name,
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      );
    }
    const lifecycle = retention.lifecycle && lifecycleFor(target.supports, retention.lifecycle, skipped);
    if (lifecycle?.Rules?.length) {
      await client.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket.name,
          LifecycleConfiguration: lifecycle,
        }),
      );
    }
  } finally {
    client.destroy();
  }
  return { skipped };
}
