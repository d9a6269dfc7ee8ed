// The one routing table: method + scope + query subresource (+ header) → the AWS operation,
// the IAM action authorized before it runs, and its handler. Rows are tried in order, so
// specific rows come first. A subresource we do not implement answers 501 NotImplemented.
import { S3Error } from './errors.ts';
import * as bucket from './ops/bucket.ts';
import * as bucketConfig from './ops/bucket-config.ts';
import * as cors from './ops/bucket-cors.ts';
import * as encryption from './ops/bucket-encryption.ts';
import * as lifecycle from './ops/bucket-lifecycle.ts';
import * as policy from './ops/bucket-policy.ts';
import * as versioning from './ops/bucket-versioning.ts';
import { copyObject } from './ops/copy-object.ts';
import { deleteObject, deleteObjects } from './ops/delete-objects.ts';
import { getObject } from './ops/get-object.ts';
import { listConditions, listObjectsV1, listObjectsV2 } from './ops/list-objects.ts';
import { listMultipartUploads } from './ops/list-uploads.ts';
import { listObjectVersions } from './ops/list-versions.ts';
import * as mpu from './ops/multipart.ts';
import { getObjectAttributes } from './ops/object-attributes.ts';
import * as tagging from './ops/object-tagging.ts';
import { postObject } from './ops/post-object.ts';
import { putObject } from './ops/put-object.ts';
import { listBuckets } from './ops/service.ts';
import { existingTagConditions, requestTagConditions } from './ops/tag-conditions.ts';
import type { RequestContext } from './request-context.ts';
import { uploadSseConditions } from './sse.ts';
import { versionedAction } from './versioning.ts';

export type Scope = 'service' | 'bucket' | 'object';

export interface Route {
  method: string;
  scope: Scope;
  /** Query parameters that must all be present. */
  query?: string[];
  /** A request header that must be present. */
  header?: string;
  /** The AWS API operation name. */
  operation: string;
  /**
   * IAM action the dispatcher authorizes on the route's resource before the handler runs.
   * Omitted when the handler authorizes itself (CopyObject, UploadPartCopy, DeleteObjects,
   * PostObject).
   */
  action?: string | ((ctx: RequestContext) => string);
  /** Extra condition keys for that authorization. */
  conditions?: (ctx: RequestContext) => Record<string, string | string[]>;
  /** Answers whatever region the request was signed for (GetBucketLocation, CreateBucket). */
  anyRegion?: boolean;
  handler: (ctx: RequestContext) => Promise<void>;
}

function notImplemented(method: string, scope: Scope, sub: string, operation: string): Route {
  return {
    method,
    scope,
    query: [sub],
    operation,
    handler: async () => {
      throw new S3Error('NotImplemented', `${operation} is not implemented by this server`);
    },
  };
}

/** The tags of the object (or the named version) the request is about, for s3:ExistingObjectTag. */
const existingTags = (ctx: RequestContext) => {
  if (ctx.bucket === undefined || ctx.key === undefined) return {};
  const version = ctx.query.get('versionId');
  return existingTagConditions(
    version ? ctx.store.version(ctx.bucket, ctx.key, version) : ctx.store.head(ctx.bucket, ctx.key),
  );
};

const listing = (ctx: RequestContext) => listConditions(ctx.query);

/** Bucket subresources answered 501 for every method they are not implemented for. */
const UNIMPLEMENTED_BUCKET: [string[], string, string][] = [
  [['GET', 'PUT', 'DELETE'], 'website', 'BucketWebsite'],
  [['GET', 'PUT'], 'logging', 'BucketLogging'],
  [['GET', 'PUT'], 'notification', 'BucketNotificationConfiguration'],
  [['GET', 'PUT', 'DELETE'], 'replication', 'BucketReplication'],
  [['GET', 'PUT'], 'object-lock', 'ObjectLockConfiguration'],
  [['GET', 'PUT'], 'accelerate', 'BucketAccelerateConfiguration'],
  [['GET', 'PUT'], 'requestPayment', 'BucketRequestPayment'],
  [['GET', 'PUT', 'DELETE'], 'analytics', 'BucketAnalyticsConfiguration'],
  [['GET', 'PUT', 'DELETE'], 'metrics', 'BucketMetricsConfiguration'],
  [['GET', 'PUT', 'DELETE'], 'inventory', 'BucketInventoryConfiguration'],
  [['GET', 'PUT', 'DELETE'], 'intelligent-tiering', 'BucketIntelligentTieringConfiguration'],
  [['PUT', 'DELETE'], 'ownershipControls', 'PutBucketOwnershipControls'],
  [['GET', 'POST', 'DELETE'], 'metadataTable', 'BucketMetadataTableConfiguration'],
  [['GET'], 'session', 'CreateSession'],
];

const UNIMPLEMENTED_OBJECT: [string[], string, string][] = [
  [['GET', 'PUT'], 'retention', 'ObjectRetention'],
  [['GET', 'PUT'], 'legal-hold', 'ObjectLegalHold'],
  [['GET'], 'torrent', 'GetObjectTorrent'],
  [['POST'], 'restore', 'RestoreObject'],
  [['POST'], 'select', 'SelectObjectContent'],
  [['PUT', 'POST'], 'renameObject', 'RenameObject'],
];

export const ROUTES: Route[] = [
  {
    method: 'GET',
    scope: 'service',
    operation: 'ListBuckets',
    action: 's3:ListAllMyBuckets',
    handler: listBuckets,
  },

  ...UNIMPLEMENTED_BUCKET.flatMap(([methods, sub, op]) =>
    methods.map((m) => notImplemented(m, 'bucket', sub, op)),
  ),
  {
    method: 'GET',
    scope: 'bucket',
    query: ['versions'],
    operation: 'ListObjectVersions',
    action: 's3:ListBucketVersions',
    conditions: listing,
    handler: listObjectVersions,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['uploads'],
    operation: 'ListMultipartUploads',
    action: 's3:ListBucketMultipartUploads',
    handler: listMultipartUploads,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['location'],
    operation: 'GetBucketLocation',
    action: 's3:GetBucketLocation',
    anyRegion: true,
    handler: bucket.getBucketLocation,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['policyStatus'],
    operation: 'GetBucketPolicyStatus',
    action: 's3:GetBucketPolicyStatus',
    handler: policy.getBucketPolicyStatus,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['policy'],
    operation: 'GetBucketPolicy',
    action: 's3:GetBucketPolicy',
    handler: policy.getBucketPolicy,
  },
  {
    method: 'PUT',
    scope: 'bucket',
    query: ['policy'],
    operation: 'PutBucketPolicy',
    action: 's3:PutBucketPolicy',
    handler: policy.putBucketPolicy,
  },
  {
    method: 'DELETE',
    scope: 'bucket',
    query: ['policy'],
    operation: 'DeleteBucketPolicy',
    action: 's3:DeleteBucketPolicy',
    handler: policy.deleteBucketPolicy,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['cors'],
    operation: 'GetBucketCors',
    action: 's3:GetBucketCORS',
    handler: cors.getBucketCors,
  },
  {
    method: 'PUT',
    scope: 'bucket',
    query: ['cors'],
    operation: 'PutBucketCors',
    action: 's3:PutBucketCORS',
    handler: cors.putBucketCors,
  },
  {
    method: 'DELETE',
    scope: 'bucket',
    query: ['cors'],
    operation: 'DeleteBucketCors',
    action: 's3:PutBucketCORS',
    handler: cors.deleteBucketCors,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['publicAccessBlock'],
    operation: 'GetPublicAccessBlock',
    action: 's3:GetBucketPublicAccessBlock',
    handler: bucketConfig.getPublicAccessBlock,
  },
  {
    method: 'PUT',
    scope: 'bucket',
    query: ['publicAccessBlock'],
    operation: 'PutPublicAccessBlock',
    action: 's3:PutBucketPublicAccessBlock',
    handler: bucketConfig.putPublicAccessBlock,
  },
  {
    method: 'DELETE',
    scope: 'bucket',
    query: ['publicAccessBlock'],
    operation: 'DeletePublicAccessBlock',
    action: 's3:PutBucketPublicAccessBlock',
    handler: bucketConfig.deletePublicAccessBlock,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['tagging'],
    operation: 'GetBucketTagging',
    action: 's3:GetBucketTagging',
    handler: bucketConfig.getBucketTagging,
  },
  {
    method: 'PUT',
    scope: 'bucket',
    query: ['tagging'],
    operation: 'PutBucketTagging',
    action: 's3:PutBucketTagging',
    handler: bucketConfig.putBucketTagging,
  },
  {
    method: 'DELETE',
    scope: 'bucket',
    query: ['tagging'],
    operation: 'DeleteBucketTagging',
    action: 's3:PutBucketTagging',
    handler: bucketConfig.deleteBucketTagging,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['acl'],
    operation: 'GetBucketAcl',
    action: 's3:GetBucketAcl',
    handler: bucket.getAcl,
  },
  {
    method: 'PUT',
    scope: 'bucket',
    query: ['acl'],
    operation: 'PutBucketAcl',
    action: 's3:PutBucketAcl',
    handler: bucket.putAcl,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['versioning'],
    operation: 'GetBucketVersioning',
    action: 's3:GetBucketVersioning',
    handler: versioning.getBucketVersioning,
  },
  {
    method: 'PUT',
    scope: 'bucket',
    query: ['versioning'],
    operation: 'PutBucketVersioning',
    action: 's3:PutBucketVersioning',
    handler: versioning.putBucketVersioning,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['encryption'],
    operation: 'GetBucketEncryption',
    action: 's3:GetEncryptionConfiguration',
    handler: encryption.getBucketEncryption,
  },
  {
    method: 'PUT',
    scope: 'bucket',
    query: ['encryption'],
    operation: 'PutBucketEncryption',
    action: 's3:PutEncryptionConfiguration',
    handler: encryption.putBucketEncryption,
  },
  {
    method: 'DELETE',
    scope: 'bucket',
    query: ['encryption'],
    operation: 'DeleteBucketEncryption',
    action: 's3:PutEncryptionConfiguration',
    handler: encryption.deleteBucketEncryption,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['lifecycle'],
    operation: 'GetBucketLifecycleConfiguration',
    action: 's3:GetLifecycleConfiguration',
    handler: lifecycle.getBucketLifecycle,
  },
  {
    method: 'PUT',
    scope: 'bucket',
    query: ['lifecycle'],
    operation: 'PutBucketLifecycleConfiguration',
    action: 's3:PutLifecycleConfiguration',
    handler: lifecycle.putBucketLifecycle,
  },
  {
    method: 'DELETE',
    scope: 'bucket',
    query: ['lifecycle'],
    operation: 'DeleteBucketLifecycle',
    // AWS has no separate delete action: removing the rules is putting none.
    action: 's3:PutLifecycleConfiguration',
    handler: lifecycle.deleteBucketLifecycle,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['ownershipControls'],
    operation: 'GetBucketOwnershipControls',
    action: 's3:GetBucketOwnershipControls',
    handler: bucket.getBucketOwnershipControls,
  },
  {
    method: 'GET',
    scope: 'bucket',
    query: ['list-type'],
    operation: 'ListObjectsV2',
    action: 's3:ListBucket',
    conditions: listing,
    handler: listObjectsV2,
  },
  {
    method: 'GET',
    scope: 'bucket',
    operation: 'ListObjects',
    action: 's3:ListBucket',
    conditions: listing,
    handler: listObjectsV1,
  },
  {
    method: 'HEAD',
    scope: 'bucket',
    operation: 'HeadBucket',
    action: 's3:ListBucket',
    handler: bucket.headBucket,
  },
  {
    method: 'PUT',
    scope: 'bucket',
    operation: 'CreateBucket',
    action: 's3:CreateBucket',
    anyRegion: true,
    handler: bucket.createBucket,
  },
  {
    method: 'DELETE',
    scope: 'bucket',
    operation: 'DeleteBucket',
    action: 's3:DeleteBucket',
    handler: bucket.deleteBucket,
  },
  { method: 'POST', scope: 'bucket', query: ['delete'], operation: 'DeleteObjects', handler: deleteObjects },
  // Browser form upload; the handler authorizes s3:PutObject on the form's key for the form's
  // signer once the form is verified, before the file is stored.
  { method: 'POST', scope: 'bucket', operation: 'PostObject', handler: postObject },

  ...UNIMPLEMENTED_OBJECT.flatMap(([methods, sub, op]) =>
    methods.map((m) => notImplemented(m, 'object', sub, op)),
  ),
  {
    method: 'GET',
    scope: 'object',
    query: ['uploadId'],
    operation: 'ListParts',
    action: 's3:ListMultipartUploadParts',
    handler: mpu.listParts,
  },
  {
    method: 'GET',
    scope: 'object',
    query: ['tagging'],
    operation: 'GetObjectTagging',
    action: versionedAction('s3:GetObjectTagging', 's3:GetObjectVersionTagging'),
    conditions: existingTags,
    handler: tagging.getObjectTagging,
  },
  {
    method: 'PUT',
    scope: 'object',
    query: ['tagging'],
    operation: 'PutObjectTagging',
    action: versionedAction('s3:PutObjectTagging', 's3:PutObjectVersionTagging'),
    conditions: existingTags,
    handler: tagging.putObjectTagging,
  },
  {
    method: 'DELETE',
    scope: 'object',
    query: ['tagging'],
    operation: 'DeleteObjectTagging',
    action: versionedAction('s3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'),
    conditions: existingTags,
    handler: tagging.deleteObjectTagging,
  },
  {
    method: 'GET',
    scope: 'object',
    query: ['acl'],
    operation: 'GetObjectAcl',
    action: 's3:GetObjectAcl',
    handler: bucket.getAcl,
  },
  {
    method: 'PUT',
    scope: 'object',
    query: ['acl'],
    operation: 'PutObjectAcl',
    action: 's3:PutObjectAcl',
    handler: bucket.putAcl,
  },
  {
    method: 'GET',
    scope: 'object',
    query: ['attributes'],
    operation: 'GetObjectAttributes',
    action: versionedAction('s3:GetObjectAttributes', 's3:GetObjectVersionAttributes'),
    conditions: existingTags,
    handler: getObjectAttributes,
  },
  {
    method: 'GET',
    scope: 'object',
    operation: 'GetObject',
    action: versionedAction('s3:GetObject', 's3:GetObjectVersion'),
    conditions: existingTags,
    handler: getObject,
  },
  {
    method: 'HEAD',
    scope: 'object',
    operation: 'HeadObject',
    action: versionedAction('s3:GetObject', 's3:GetObjectVersion'),
    conditions: existingTags,
    handler: getObject,
  },
  {
    method: 'PUT',
    scope: 'object',
    query: ['partNumber', 'uploadId'],
    header: 'x-amz-copy-source',
    operation: 'UploadPartCopy',
    handler: mpu.uploadPartCopy,
  },
  {
    method: 'PUT',
    scope: 'object',
    query: ['partNumber', 'uploadId'],
    operation: 'UploadPart',
    action: 's3:PutObject',
    conditions: uploadSseConditions,
    handler: mpu.uploadPart,
  },
  {
    method: 'PUT',
    scope: 'object',
    header: 'x-amz-copy-source',
    operation: 'CopyObject',
    handler: copyObject,
  },
  {
    method: 'PUT',
    scope: 'object',
    operation: 'PutObject',
    action: 's3:PutObject',
    conditions: requestTagConditions,
    handler: putObject,
  },
  {
    method: 'DELETE',
    scope: 'object',
    query: ['uploadId'],
    operation: 'AbortMultipartUpload',
    action: 's3:AbortMultipartUpload',
    handler: mpu.abortMultipartUpload,
  },
  {
    method: 'DELETE',
    scope: 'object',
    operation: 'DeleteObject',
    action: versionedAction('s3:DeleteObject', 's3:DeleteObjectVersion'),
    conditions: existingTags,
    handler: deleteObject,
  },
  {
    method: 'POST',
    scope: 'object',
    query: ['uploads'],
    operation: 'CreateMultipartUpload',
    action: 's3:PutObject',
    conditions: requestTagConditions,
    handler: mpu.createMultipartUpload,
  },
  {
    method: 'POST',
    scope: 'object',
    query: ['uploadId'],
    operation: 'CompleteMultipartUpload',
    action: 's3:PutObject',
    conditions: uploadSseConditions,
    handler: mpu.completeMultipartUpload,
  },
];

/**
 * Every subresource S3 routes an operation by (the AWS SDK's routes, and the older ones AWS
 * documents). A request naming one that the row it matched does not take is an operation we do
 * not implement: without this, `DELETE /bucket?metadataConfiguration` fell through to
 * DeleteBucket, and `PUT /key?encryption` to PutObject, which wrote the XML over the object.
 */
const SUBRESOURCES = new Set([
  'abac',
  'accelerate',
  'acl',
  'analytics',
  'annotation',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metadataAnnotationTable',
  'metadataConfiguration',
  'metadataInventoryTable',
  'metadataJournalTable',
  'metadataTable',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'renameObject',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versioning',
  'versions',
  'website',
]);

export function resolveRoute(
  method: string,
  scope: Scope,
  query: URLSearchParams,
  headers: Record<string, unknown>,
): Route {
  const m = method === 'HEAD' && scope !== 'service' ? 'HEAD' : method;
  for (const r of ROUTES) {
    if (r.method !== m || r.scope !== scope) continue;
    if (r.query && !r.query.every((q) => q === '' || query.has(q))) continue;
    if (r.header && headers[r.header] === undefined) continue;
    for (const key of query.keys()) {
      if (SUBRESOURCES.has(key) && !r.query?.includes(key)) {
        throw new S3Error(
          'NotImplemented',
          `${method} with the ?${key} subresource is not implemented by this server`,
        );
      }
    }
    return r;
  }
  throw new S3Error('MethodNotAllowed', undefined, {
    Method: method,
    ResourceType: scope === 'object' ? 'OBJECT' : scope === 'bucket' ? 'BUCKET' : 'SERVICE',
  });
}
