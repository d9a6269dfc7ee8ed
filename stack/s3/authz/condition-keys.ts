// Condition keys a bucket policy may name. Global `aws:` keys are all accepted (AWS keeps
// adding them and S3 does not refuse unknown ones); S3's own keys must be real, and the
// listing keys only apply to listing actions (PutBucketPolicy answers "Conditions do not apply
// to combination of actions and resources in statement" otherwise).

const S3_KEYS = [
  's3:prefix',
  's3:delimiter',
  's3:max-keys',
  's3:versionid',
  's3:x-amz-acl',
  's3:x-amz-content-sha256',
  's3:x-amz-copy-source',
  's3:x-amz-metadata-directive',
  's3:x-amz-server-side-encryption',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
  's3:x-amz-server-side-encryption-customer-algorithm',
  's3:x-amz-storage-class',
  's3:x-amz-website-redirect-location',
  's3:x-amz-grant-full-control',
  's3:x-amz-grant-read',
  's3:x-amz-grant-read-acp',
  's3:x-amz-grant-write',
  's3:x-amz-grant-write-acp',
  's3:x-amz-object-ownership',
  's3:requestobjecttagkeys',
  's3:existingobjecttag',
  's3:requestobjecttag',
  's3:signatureversion',
  's3:signatureage',
  's3:authtype',
  's3:tlsversion',
  's3:resourceaccount',
  's3:locationconstraint',
  's3:dataaccesspointarn',
  's3:dataaccesspointaccount',
  's3:accesspointnetworkorigin',
  's3:object-lock-mode',
  's3:object-lock-retain-until-date',
  's3:object-lock-remaining-retention-days',
  's3:object-lock-legal-hold',
  's3:if-match',
  's3:if-none-match',
  's3:objectcreationoperation',
];

const LIST_KEYS = new Set(['s3:prefix', 's3:delimiter', 's3:max-keys']);
const LIST_ACTIONS = new Set(['s3:listbucket', 's3:listbucketversions']);

/** True when a bucket policy may name this key (lower-cased). */
export function isKnownBucketConditionKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (lower.startsWith('aws:') && lower.length > 4) return true;
  const slash = lower.indexOf('/');
  if (slash !== -1) {
    const family = lower.slice(0, slash);
    return (
      (family === 's3:existingobjecttag' || family === 's3:requestobjecttag') && slash < lower.length - 1
    );
  }
  return S3_KEYS.includes(lower);
}

/** False when the key is known not to apply to a (wildcard-free, lower-case) action. */
export function keyAppliesToAction(key: string, action: string): boolean {
  const lower = key.toLowerCase();
  if (LIST_KEYS.has(lower)) return LIST_ACTIONS.has(action);
  return true;
}
