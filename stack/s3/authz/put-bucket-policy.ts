// PutBucketPolicy's checks in AWS's order: the document must be valid (400 MalformedPolicy),
// then, while BlockPublicPolicy is on, it must not be public (403 AccessDenied).
import { S3Error } from '../errors.ts';
import { ACCOUNT_ID } from '../identity.ts';
import { type ParseBucketPolicyOptions, parseBucketPolicy } from './policy-parse.ts';
import type { ParsedPolicy, PublicAccessBlockFlags } from './policy-types.ts';
import { isPublicPolicy } from './public-policy.ts';

export interface ValidatePolicyForPutOptions extends ParseBucketPolicyOptions {
  /** ARN of the caller, named in AWS's AccessDenied message. @default the account root */
  callerArn?: string;
}

/**
 * Validates a PutBucketPolicy body for `bucket` under its Block Public Access flags
 * (undefined = no configuration = nothing blocked). Returns the parsed policy to store.
 * @throws S3Error MalformedPolicy (400) or AccessDenied (403)
 */
export function validatePolicyForPut(
  json: string,
  bucket: string,
  pab: PublicAccessBlockFlags | undefined,
  options: ValidatePolicyForPutOptions = {},
): ParsedPolicy {
  const policy = parseBucketPolicy(json, bucket, options);
  if (pab?.BlockPublicPolicy && isPublicPolicy(policy)) {
    const caller = options.callerArn ?? `arn:aws:iam::${options.accountId ?? ACCOUNT_ID}:root`;
    throw new S3Error(
      'AccessDenied',
      `User: ${caller} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucket}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    );
  }
  return policy;
}
