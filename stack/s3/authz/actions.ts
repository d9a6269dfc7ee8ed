// The S3 actions a policy can name, with the resource type each applies to. PutBucketPolicy
// refuses an action pattern that names none of them ("Policy has invalid action") and a
// statement whose actions reach none of its resources ("Action does not apply to any
// resource(s) in statement"), so validation needs the catalog, not just the `s3:` prefix.

export type ActionKind = 'object' | 'bucket' | 'account';

const OBJECT_ACTIONS = [
  'AbortMultipartUpload',
  'BypassGovernanceRetention',
  'DeleteObject',
  'DeleteObjectTagging',
  'DeleteObjectVersion',
  'DeleteObjectVersionTagging',
  'GetObject',
  'GetObjectAcl',
  'GetObjectAttributes',
  'GetObjectLegalHold',
  'GetObjectRetention',
  'GetObjectTagging',
  'GetObjectTorrent',
  'GetObjectVersion',
  'GetObjectVersionAcl',
  'GetObjectVersionAttributes',
  'GetObjectVersionForReplication',
  'GetObjectVersionTagging',
  'GetObjectVersionTorrent',
  'InitiateReplication',
  'ListMultipartUploadParts',
  'ObjectOwnerOverrideToBucketOwner',
  'PutObject',
  'PutObjectAcl',
  'PutObjectLegalHold',
  'PutObjectRetention',
  'PutObjectTagging',
  'PutObjectVersionAcl',
  'PutObjectVersionTagging',
  'ReplicateDelete',
  'ReplicateObject',
  'ReplicateTags',
  'RestoreObject',
];

const BUCKET_ACTIONS = [
  'CreateBucket',
  'DeleteBucket',
  'DeleteBucketOwnershipControls',
  'DeleteBucketPolicy',
  'DeleteBucketWebsite',
  'GetAccelerateConfiguration',
  'GetAnalyticsConfiguration',
  'GetBucketAcl',
  'GetBucketCORS',
  'GetBucketLocation',
  'GetBucketLogging',
  'GetBucketNotification',
  'GetBucketObjectLockConfiguration',
  'GetBucketOwnershipControls',
  'GetBucketPolicy',
  'GetBucketPolicyStatus',
  'GetBucketPublicAccessBlock',
  'GetBucketRequestPayment',
  'GetBucketTagging',
  'GetBucketVersioning',
  'GetBucketWebsite',
  'GetEncryptionConfiguration',
  'GetIntelligentTieringConfiguration',
  'GetInventoryConfiguration',
  'GetLifecycleConfiguration',
  'GetMetricsConfiguration',
  'GetReplicationConfiguration',
  'ListBucket',
  'ListBucketMultipartUploads',
  'ListBucketVersions',
  'PutAccelerateConfiguration',
  'PutAnalyticsConfiguration',
  'PutBucketAcl',
  'PutBucketCORS',
  'PutBucketLogging',
  'PutBucketNotification',
  'PutBucketObjectLockConfiguration',
  'PutBucketOwnershipControls',
  'PutBucketPolicy',
  'PutBucketPublicAccessBlock',
  'PutBucketRequestPayment',
  'PutBucketTagging',
  'PutBucketVersioning',
  'PutBucketWebsite',
  'PutEncryptionConfiguration',
  'PutIntelligentTieringConfiguration',
  'PutInventoryConfiguration',
  'PutLifecycleConfiguration',
  'PutMetricsConfiguration',
  'PutReplicationConfiguration',
];

const ACCOUNT_ACTIONS = [
  'CreateJob',
  'GetAccessPoint',
  'GetAccountPublicAccessBlock',
  'ListAccessPoints',
  'ListAllMyBuckets',
  'ListJobs',
  'PutAccountPublicAccessBlock',
];

export interface S3Action {
  /** `s3:GetObject` as AWS spells it. */
  name: string;
  /** Lower-case, for case-insensitive matching. */
  lower: string;
  kind: ActionKind;
}

export const S3_ACTIONS: readonly S3Action[] = [
  ...OBJECT_ACTIONS.map((n) => ({ kind: 'object' as const, n })),
  ...BUCKET_ACTIONS.map((n) => ({ kind: 'bucket' as const, n })),
  ...ACCOUNT_ACTIONS.map((n) => ({ kind: 'account' as const, n })),
].map(({ kind, n }) => ({ name: `s3:${n}`, lower: `s3:${n.toLowerCase()}`, kind }));
