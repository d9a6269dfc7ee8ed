// The console's storage side: every read and write goes over the S3 API as the root identity,
// so it behaves the same against the embedded engine and against MinIO.

import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { parseBucketPolicy } from '../s3/authz/policy-parse.ts';
import { isPublicPolicy } from '../s3/authz/public-policy.ts';
import { fromS3Error } from './errors.ts';
import { type LifecycleRuleView, lifecycleRuleView } from './lifecycle-view.ts';
import type { ConsoleS3Options } from './options.ts';
import { type BucketAccess, publicReadability } from './public-read.ts';
import { createVersionAccess, type VersionAccess } from './s3-versions.ts';

/** Request ids of the calls the console itself made, so the request log can tell them apart. */
export class OwnRequestIds {
  #ids = new Set<string>();
  readonly capacity: number;
  constructor(capacity = 5000) {
    this.capacity = capacity;
  }
  add(id: string): void {
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) this.#ids.delete(this.#ids.values().next().value as string);
  }
  has(id: string): boolean {
    return this.#ids.has(id);
  }
}

/** S3 error names that mean "not configured" rather than a failure. */
const ABSENT = new Set([
  'NoSuchBucketPolicy',
  'NoSuchCORSConfiguration',
  'NoSuchLifecycleConfiguration',
  'NoSuchPublicAccessBlockConfiguration',
  'NoSuchTagSet',
]);

function absent(err: unknown): boolean {
  return ABSENT.has((err as { name?: string }).name ?? '');
}

export interface ObjectRow {
  key: string;
  /** The part after the prefix. */
  name: string;
  size: number;
  lastModified?: string;
  etag?: string;
  storageClass?: string;
  public: boolean;
  publicBy?: string;
}

export interface Listing {
  bucket: string;
  prefix: string;
  folders: string[];
  objects: ObjectRow[];
  truncated: boolean;
  nextToken?: string;
}

export interface BucketSettings {
  bucket: string;
  region?: string;
  policy: { json: string; public: boolean; error?: string } | null;
  cors: { rules: unknown[] } | null;
  publicAccessBlock: Record<string, boolean> | null;
  /**
   * GetBucketVersioning's Status: `Enabled` or `Suspended`; null when versioning was never
   * turned on (AWS answers with no Status then).
   */
  versioning: { status: 'Enabled' | 'Suspended'; mfaDelete?: string } | null;
  /** The bucket's lifecycle rules; null when it has no lifecycle configuration. */
  lifecycle: { rules: LifecycleRuleView[]; json: string } | null;
  /** Set when the engine does not implement a configuration (MinIO and Block Public Access). */
  notes: string[];
}

export interface S3Access {
  client: S3Client;
  ownRequests: OwnRequestIds;
  listBuckets(): Promise<{ name: string; created?: string }[]>;
  bucketAccess(bucket: string): Promise<BucketAccess>;
  settings(bucket: string): Promise<BucketSettings>;
  list(bucket: string, prefix: string, token?: string): Promise<Listing>;
  detail(bucket: string, key: string): Promise<Record<string, unknown>>;
  head(bucket: string, key: string): Promise<{ contentType?: string; size: number }>;
  get(bucket: string, key: string, range?: string): Promise<GetResult>;
  put(
    bucket: string,
    key: string,
    body: Readable | Buffer,
    length: number,
    contentType?: string,
  ): Promise<string | undefined>;
  remove(bucket: string, key: string): Promise<void>;
  /** Versions, deleted keys, a version's bytes and restoring a version. */
  versions: VersionAccess;
  destroy(): void;
}

export interface GetResult {
  body: Readable;
  contentType?: string;
  contentLength?: number;
  etag?: string;
}

export function createS3Access(options: ConsoleS3Options): S3Access {
  const ownRequests = new OwnRequestIds();
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials: options.rootCredentials,
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { headers?: Record<string, string> };
      const id = response.headers?.['x-amz-request-id'];
      if (id) ownRequests.add(id);
      return result;
    },
    { step: 'deserialize', name: 'consoleOwnRequestIds', priority: 'low' },
  );
  const send = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      const id = (err as { $metadata?: { requestId?: string } }).$metadata?.requestId;
      if (id) ownRequests.add(id);
      throw err;
    }
  };
  const optional = async <T>(run: () => Promise<T>, notes: string[], what: string): Promise<T | null> => {
    try {
      return await send(run);
    } catch (err) {
      if (absent(err)) return null;
      const name = (err as { name?: string }).name ?? 'Error';
      notes.push(
        `${what}: ${name === 'NotImplemented' ? 'not supported by this engine' : fromS3Error(err).message}`,
      );
      return null;
    }
  };

  const bucketAccess = async (bucket: string): Promise<BucketAccess> => {
    const notes: string[] = [];
    const [policy, pab] = await Promise.all([
      optional(() => client.send(new GetBucketPolicyCommand({ Bucket: bucket })), notes, 'Bucket policy'),
      optional(
        () => client.send(new GetPublicAccessBlockCommand({ Bucket: bucket })),
        notes,
        'Block Public Access',
      ),
    ]);
    const access: BucketAccess = { bucket };
    const flags = pab?.PublicAccessBlockConfiguration;
    if (flags) {
      access.publicAccessBlock = {
        BlockPublicAcls: Boolean(flags.BlockPublicAcls),
        IgnorePublicAcls: Boolean(flags.IgnorePublicAcls),
        BlockPublicPolicy: Boolean(flags.BlockPublicPolicy),
        RestrictPublicBuckets: Boolean(flags.RestrictPublicBuckets),
      };
    }
    if (policy?.Policy) {
      try {
        access.policy = parseBucketPolicy(policy.Policy, bucket);
      } catch (err) {
        access.policyError = (err as Error).message;
      }
    } else if (notes.some((n) => n.startsWith('Bucket policy'))) {
      access.policyError = notes.find((n) => n.startsWith('Bucket policy'));
    }
    return access;
  };

  return {
    client,
    ownRequests,
    async listBuckets() {
      const out = await send(() => client.send(new ListBucketsCommand({})));
      return (out.Buckets ?? []).map((b) => ({ name: b.Name ?? '', created: b.CreationDate?.toISOString() }));
    },
    bucketAccess,
    async settings(bucket) {
      const notes: string[] = [];
      const [location, policy, cors, pab, versioning, lifecycle] = await Promise.all([
        optional(() => client.send(new GetBucketLocationCommand({ Bucket: bucket })), notes, 'Region'),
        optional(() => client.send(new GetBucketPolicyCommand({ Bucket: bucket })), notes, 'Bucket policy'),
        optional(() => client.send(new GetBucketCorsCommand({ Bucket: bucket })), notes, 'CORS'),
        optional(
          () => client.send(new GetPublicAccessBlockCommand({ Bucket: bucket })),
          notes,
          'Block Public Access',
        ),
        optional(() => client.send(new GetBucketVersioningCommand({ Bucket: bucket })), notes, 'Versioning'),
        optional(
          () => client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })),
          notes,
          'Lifecycle',
        ),
      ]);
      let policyView: BucketSettings['policy'] = null;
      if (policy?.Policy) {
        let json = policy.Policy;
        try {
          json = JSON.stringify(JSON.parse(json), null, 2);
        } catch {
          // shown as stored
        }
        try {
          policyView = { json, public: isPublicPolicy(parseBucketPolicy(policy.Policy, bucket)) };
        } catch (err) {
          policyView = { json, public: false, error: (err as Error).message };
        }
      }
      const flags = pab?.PublicAccessBlockConfiguration;
      return {
        bucket,
        region: location ? location.LocationConstraint || 'us-east-1' : undefined,
        policy: policyView,
        cors: cors ? { rules: cors.CORSRules ?? [] } : null,
        publicAccessBlock: flags
          ? {
              BlockPublicAcls: Boolean(flags.BlockPublicAcls),
              IgnorePublicAcls: Boolean(flags.IgnorePublicAcls),
              BlockPublicPolicy: Boolean(flags.BlockPublicPolicy),
              RestrictPublicBuckets: Boolean(flags.RestrictPublicBuckets),
            }
          : null,
        versioning:
          versioning?.Status === 'Enabled' || versioning?.Status === 'Suspended'
            ? { status: versioning.Status, mfaDelete: versioning.MFADelete }
            : null,
        lifecycle: lifecycle
          ? {
              rules: (lifecycle.Rules ?? []).map(lifecycleRuleView),
              json: JSON.stringify({ Rules: lifecycle.Rules ?? [] }, null, 2),
            }
          : null,
        notes,
      };
    },
    async list(bucket, prefix, token) {
      const [out, access] = await Promise.all([
        send(() =>
          client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix || undefined,
              Delimiter: '/',
              ContinuationToken: token || undefined,
              MaxKeys: 1000,
            }),
          ),
        ),
        bucketAccess(bucket),
      ]);
      return {
        bucket,
        prefix,
        folders: (out.CommonPrefixes ?? []).map((p) => p.Prefix ?? '').filter(Boolean),
        objects: (out.Contents ?? []).map((o) => {
          const key = o.Key ?? '';
          const pub = publicReadability(access, key);
          return {
            key,
            name: key.slice(prefix.length),
            size: o.Size ?? 0,
            lastModified: o.LastModified?.toISOString(),
            etag: o.ETag,
            storageClass: o.StorageClass,
            public: pub.public,
            publicBy: pub.statement,
          };
        }),
        truncated: Boolean(out.IsTruncated),
        nextToken: out.NextContinuationToken,
      };
    },
    async detail(bucket, key) {
      const [head, tags, access] = await Promise.all([
        send(() => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }))),
        send(() => client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).catch((err) => {
          if (absent(err)) return { TagSet: [] };
          throw err;
        }),
        bucketAccess(bucket),
      ]);
      const checksums: Record<string, string> = {};
      for (const [name, value] of Object.entries({
        CRC32: head.ChecksumCRC32,
        CRC32C: head.ChecksumCRC32C,
        CRC64NVME: head.ChecksumCRC64NVME,
        SHA1: head.ChecksumSHA1,
        SHA256: head.ChecksumSHA256,
      })) {
        if (value) checksums[name] = value;
      }
      return {
        bucket,
        key,
        size: head.ContentLength ?? 0,
        contentType: head.ContentType ?? '',
        contentEncoding: head.ContentEncoding,
        contentDisposition: head.ContentDisposition,
        cacheControl: head.CacheControl,
        etag: head.ETag,
        lastModified: head.LastModified?.toISOString(),
        storageClass: head.StorageClass ?? 'STANDARD',
        serverSideEncryption: head.ServerSideEncryption,
        versionId: head.VersionId,
        metadata: head.Metadata ?? {},
        tags: Object.fromEntries((tags.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        checksums,
        checksumType: head.ChecksumType,
        publicRead: publicReadability(access, key),
      };
    },
    async head(bucket, key) {
      const out = await send(() => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
      return { contentType: out.ContentType, size: out.ContentLength ?? 0 };
    },
    async get(bucket, key, range) {
      const out = await send(() =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range })),
      );
      return {
        body: out.Body as Readable,
        contentType: out.ContentType,
        contentLength: out.ContentLength,
        etag: out.ETag,
      };
    },
    async put(bucket, key, body, length, contentType) {
      const out = await send(() =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentLength: length,
            ContentType: contentType || undefined,
          }),
        ),
      );
      return out.ETag;
    },
    async remove(bucket, key) {
      await send(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    },
    versions: createVersionAccess(client, send),
    destroy: () => client.destroy(),
  };
}
