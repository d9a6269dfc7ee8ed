// "Is this bucket policy public?" as S3 decides it for Block Public Access and
// GetBucketPolicyStatus: a policy is public unless every Allow statement is confined to fixed
// principals or to fixed values of keys that pin the caller (a source IP range no wider than
// /8 for IPv4 or /32 for IPv6, a source ARN / VPC / VPC endpoint / account / organization, a
// KMS key). "Fixed" means no wildcard and no policy variable.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
import { parseCidr } from './ip.ts';
import type { ConditionClause, ParsedPolicy, Statement } from './policy-types.ts';
import { hasWildcardOrVariable } from './wildcard.ts';

const PINNING_KEYS = new Set([
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:userid',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
  's3:dataaccesspointarn',
  's3:dataaccesspointaccount',
]);

const PINNING_OPERATORS = new Set([
  'StringEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'ArnEquals',
  'ArnLike',
]);

/** Whether a clause confines a request to fixed values of a pinning key. */
function pins(clause: ConditionClause): boolean {
  // A clause a request can satisfy by leaving the key out confines nothing.
  if (clause.ifExists || clause.set === 'ForAllValues') return false;
  const key = clause.key.toLowerCase();
  if (key === 'aws:sourceip') {
    return (
      clause.base === 'IpAddress' &&
      clause.values.every((v) => {
        const cidr = parseCidr(v);
        return cidr !== undefined && cidr.prefix >= (cidr.family === 4 ? 8 : 32);
      })
    );
  }
  if (!PINNING_KEYS.has(key) || !PINNING_OPERATORS.has(clause.base)) return false;
  if (key === 'aws:userid' && clause.values.some((v) => /^AROA[A-Z0-9]*:\*$/.test(v))) return false;
  return clause.values.every((v) => !hasWildcardOrVariable(v));
}

/** True when this Allow statement grants to everyone without a pinning condition. */
export function isPublicStatement(statement: Statement): boolean {
  if (statement.effect !== 'Allow' || !statement.principal) return false;
  // NotPrincipal on an Allow grants to everyone not listed: the public included.
  const toEveryone = statement.notPrincipal ? !statement.principal.everyone : statement.principal.everyone;
  if (!toEveryone) return false;
  return !statement.conditions.some(pins);
}

/** True when S3 would call this bucket policy public. */
export function isPublicPolicy(policy: ParsedPolicy | undefined): boolean {
  return policy?.statements.some(isPublicStatement) ?? false;
}

/** GetBucketPolicyStatus: `IsPublic` of the bucket's policy. */
export function getPolicyStatus(policy: ParsedPolicy | undefined): { IsPublic: boolean } {
  return { IsPublic: isPublicPolicy(policy) };
}

/** The GetBucketPolicyStatus response body. */
export function policyStatusToXml(status: { IsPublic: boolean }): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<PolicyStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsPublic>${status.IsPublic}</IsPublic></PolicyStatus>`
  );
}
