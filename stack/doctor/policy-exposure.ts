// "Does this bucket policy make verification documents public?" — evaluated with the embedded S3
// server's own policy engine, for an anonymous caller as a browser on the internet would be one.
import { evaluateAccess, isPublicPolicy, parseBucketPolicy } from '../s3/authz/index.ts';
import { type Check, passed, warning } from './check.ts';

/** Keys the app keeps private (verification documents, chat attachments), as sample objects. */
export const PRIVATE_SAMPLE_KEYS: readonly string[] = Object.freeze([
  'verifications/team-sample/3f2b-employment-certificate.pdf',
  'chat/room-sample/9c1d-attachment.png',
]);

// The request context of an anonymous internet caller: HTTPS, a public address, now.
function anonymousContext(now: Date): ReadonlyMap<string, readonly string[]> {
  return new Map<string, readonly string[]>([
    ['aws:securetransport', ['true']],
    ['aws:sourceip', ['203.0.113.10']],
    ['aws:currenttime', [now.toISOString()]],
    ['aws:epochtime', [String(Math.floor(now.getTime() / 1000))]],
  ]);
}

export interface Exposure {
  /** Sample private keys anyone may GET, each with the statement that allows it. */
  exposed: { key: string; reason: string }[];
  /** S3's own verdict (GetBucketPolicyStatus IsPublic). */
  isPublic: boolean;
}

/** Evaluates a bucket policy document for anonymous GetObject on the app's private prefixes. */
export function policyExposure(policyJson: string, bucket: string, now: Date = new Date()): Exposure {
  const policy = parseBucketPolicy(policyJson, bucket);
  const exposed: Exposure['exposed'] = [];
  for (const key of PRIVATE_SAMPLE_KEYS) {
    const decision = evaluateAccess({
      action: 's3:GetObject',
      resource: `arn:aws:s3:::${bucket}/${key}`,
      principal: null,
      context: anonymousContext(now),
      identityPolicies: [],
      bucketPolicy: policy,
      bucket,
    });
    if (decision.allowed) exposed.push({ key, reason: decision.reason });
  }
  return { exposed, isPublic: isPublicPolicy(policy) };
}

/** The report line for a bucket policy read from `source`. */
export function policyExposureCheck(policyJson: string, bucket: string, source: string): Check {
  let exposure: Exposure;
  try {
    exposure = policyExposure(policyJson, bucket);
  } catch (error) {
    return warning(
      's3.public-read',
      `the bucket policy from ${source} could not be evaluated: ${(error as Error).message}`,
      'the policy does not parse as an S3 bucket policy',
      'fix the policy document',
    );
  }
  if (exposure.exposed.length > 0) {
    return {
      ...warning(
        's3.public-read',
        `the bucket policy (${source}) makes private files public: anyone may read ${exposure.exposed.map((e) => e.key.split('/')[0]).join(' and ')} objects`,
        `${exposure.exposed[0]!.reason}: the guide's optional "PublicReadGetObject" policy grants s3:GetObject on the whole bucket, verification documents included`,
        'grant public read only under teams/*/profile/* (stack/policies/bucket-policy.json) and serve the rest through presigned URLs (the guide, 보안 권장사항: 공개 읽기 권한 최소화)',
      ),
      lines: exposure.exposed.map((e) => `anonymous GET s3://${bucket}/${e.key}: ${e.reason}`),
    };
  }
  return passed(
    's3.public-read',
    `verification documents and chat attachments stay private under the bucket policy (${source})`,
    exposure.isPublic
      ? ['the policy is public in S3’s sense, for other keys only (team profile images)']
      : [],
  );
}
