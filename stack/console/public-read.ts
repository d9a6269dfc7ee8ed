// "Can anyone on the internet read this object?" — an anonymous s3:GetObject evaluated with the
// same engine the S3 server uses: the bucket policy, then Block Public Access.
import { requestContext } from '../s3/authz/authorizer.ts';
import { evaluateAccess } from '../s3/authz/evaluate.ts';
import type { ParsedPolicy, PublicAccessBlockFlags } from '../s3/authz/policy-types.ts';
import { ACCOUNT_ID } from '../s3/identity.ts';

export interface PublicReadability {
  public: boolean;
  /** The statement that grants (or would grant) anonymous reads: its Sid, or `#n`. */
  statement?: string;
  /** The engine's sentence for the decision. */
  reason: string;
}

export interface BucketAccess {
  bucket: string;
  policy?: ParsedPolicy;
  /** The policy could not be read or parsed: readability is unknown. */
  policyError?: string;
  /** undefined: the bucket has no Block Public Access configuration (nothing blocked). */
  publicAccessBlock?: PublicAccessBlockFlags;
}

export function publicReadability(access: BucketAccess, key: string, now = new Date()): PublicReadability {
  if (access.policyError) {
    return {
      public: false,
      reason: `Unknown: the bucket policy could not be evaluated (${access.policyError})`,
    };
  }
  const resource = `arn:aws:s3:::${access.bucket}/${key}`;
  const decision = evaluateAccess({
    action: 's3:GetObject',
    resource,
    principal: null,
    context: requestContext(
      {
        requestId: 'console-public-check',
        operation: 'GetObject',
        action: 's3:GetObject',
        resource,
        principal: null,
        bucket: access.bucket,
        key,
        context: {},
      },
      now,
      ACCOUNT_ID,
    ),
    identityPolicies: [],
    bucketPolicy: access.policy,
    bucket: access.bucket,
    publicAccessBlock: access.publicAccessBlock,
  });
  const by = decision.decidedBy;
  const statement =
    by && (by.policy === 'bucket' || by.policy === 'block-public-access')
      ? (by.sid ?? (by.index !== undefined ? `#${by.index + 1}` : undefined))
      : undefined;
  return { public: decision.allowed, statement, reason: decision.reason };
}
