// Reads the stack's policy files, points them at the configured bucket and validates them with
// the same parser the embedded S3 server uses, so a typo fails at startup with AWS's message.
// The files keep the guide's literal bucket name (`focusmate-uploads`) so they stay copy-paste
// identical to what the guide applies in AWS; the loader rewrites that bucket in every
// Resource / NotResource ARN when the stack runs with another bucket.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CorsRule, corsFromJson, corsToXml } from '../s3/authz/cors.ts';
import { parseBucketPolicy, parseIdentityPolicy } from '../s3/authz/policy-parse.ts';
import type { NamedPolicy, ParsedPolicy, PublicAccessBlockFlags } from '../s3/authz/policy-types.ts';
import { defaultPublicAccessBlock } from '../s3/authz/public-access-block.ts';
import { isPublicPolicy } from '../s3/authz/public-policy.ts';
import { S3Error } from '../s3/errors.ts';

/** The bucket the policy files name, as in the guide. */
export const TEMPLATE_BUCKET = 'focusmate-uploads';
/** The name the app user's identity policy is attached under. */
export const APP_USER_POLICY_NAME = 'focusmate-app-policy';

export const BUCKET_POLICY_FILES = {
  default: 'bucket-policy.json',
  'guide-public': 'bucket-policy-guide-public.json',
} as const;

export type BucketPolicyChoice = keyof typeof BUCKET_POLICY_FILES | 'none';

export interface LoadStackPoliciesOptions {
  /** The bucket to point the policies at (`AWS_S3_BUCKET`). */
  bucket: string;
  /** Directory holding the policy files. @default this file's directory (stack/policies) */
  dir?: string;
  /**
   * Which bucket policy to apply: `default` (anonymous read of team profile images only),
   * `guide-public` (the guide's whole-bucket public read) or `none`.
   * @default 'default'
   */
  bucketPolicy?: BucketPolicyChoice;
  /** Replaces every CORS rule's AllowedOrigins (e.g. a test page's origin). @default the file's */
  corsOrigins?: readonly string[];
  /**
   * The bucket is versioned: the app user also gets app-user-versions-policy.json's statements
   * (list versions, read a version), which restoring an earlier version needs. @default false
   */
  versioning?: boolean;
}

export interface StackPolicies {
  userPolicy: NamedPolicy;
  /** The user policy document for the bucket, for engines that take JSON (MinIO). */
  userPolicyJson: string;
  bucketPolicy?: ParsedPolicy;
  bucketPolicyJson?: string;
  /**
   * Block Public Access to seed: AWS's defaults (all on), except that a public bucket policy
   * needs BlockPublicPolicy and RestrictPublicBuckets off to be put and to take effect.
   */
  publicAccessBlock: PublicAccessBlockFlags;
  cors: CorsRule[];
  corsXml: string;
}

const TEMPLATE_ARN = `arn:aws:s3:::${TEMPLATE_BUCKET}`;

function retarget(arn: string, bucket: string): string {
  if (arn === TEMPLATE_ARN || arn.startsWith(`${TEMPLATE_ARN}/`))
    return `arn:aws:s3:::${bucket}${arn.slice(TEMPLATE_ARN.length)}`;
  return arn;
}

/** Rewrites the template bucket in a policy document's Resource / NotResource ARNs. */
export function retargetPolicy(doc: unknown, bucket: string): unknown {
  if (typeof doc !== 'object' || doc === null) return doc;
  const policy = structuredClone(doc) as { Statement?: unknown };
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  for (const s of statements) {
    if (typeof s !== 'object' || s === null) continue;
    const st = s as Record<string, unknown>;
    for (const field of ['Resource', 'NotResource']) {
      const v = st[field];
      if (typeof v === 'string') st[field] = retarget(v, bucket);
      else if (Array.isArray(v)) st[field] = v.map((r) => (typeof r === 'string' ? retarget(r, bucket) : r));
    }
  }
  return policy;
}

async function readJson(dir: string, file: string): Promise<unknown> {
  const path = join(dir, file);
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

function checked<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof S3Error) throw new S3Error(err.code, `${path}: ${err.message}`);
    throw err;
  }
}

/** Loads, retargets and validates the stack's user policy, bucket policy and CORS rules. */
export async function loadStackPolicies(options: LoadStackPoliciesOptions): Promise<StackPolicies> {
  const dir = options.dir ?? fileURLToPath(new URL('.', import.meta.url));
  const choice = options.bucketPolicy ?? 'default';
  const { bucket } = options;

  const userDoc = retargetPolicy(await readJson(dir, 'app-user-policy.json'), bucket) as {
    Statement: unknown[] | unknown;
  };
  if (options.versioning) {
    const extra = retargetPolicy(await readJson(dir, 'app-user-versions-policy.json'), bucket) as {
      Statement: unknown[] | unknown;
    };
    userDoc.Statement = [userDoc.Statement, extra.Statement].flat();
  }
  const userPolicyJson = JSON.stringify(userDoc, null, 2);
  const userPolicy = checked(join(dir, 'app-user-policy.json'), () => parseIdentityPolicy(userPolicyJson));

  let bucketPolicy: ParsedPolicy | undefined;
  let bucketPolicyJson: string | undefined;
  if (choice !== 'none') {
    const file = BUCKET_POLICY_FILES[choice];
    bucketPolicyJson = JSON.stringify(retargetPolicy(await readJson(dir, file), bucket), null, 2);
    const text = bucketPolicyJson;
    bucketPolicy = checked(join(dir, file), () => parseBucketPolicy(text, bucket));
  }

  const publicAccessBlock = defaultPublicAccessBlock();
  if (isPublicPolicy(bucketPolicy)) {
    publicAccessBlock.BlockPublicPolicy = false;
    publicAccessBlock.RestrictPublicBuckets = false;
  }

  const corsDoc = (await readJson(dir, 'cors.json')) as { CORSRules?: Array<Record<string, unknown>> };
  if (options.corsOrigins && Array.isArray(corsDoc.CORSRules)) {
    for (const rule of corsDoc.CORSRules) rule.AllowedOrigins = [...options.corsOrigins];
  }
  const cors = checked(join(dir, 'cors.json'), () => corsFromJson(corsDoc));

  return {
    userPolicy: { name: APP_USER_POLICY_NAME, policy: userPolicy },
    userPolicyJson,
    bucketPolicy,
    bucketPolicyJson,
    publicAccessBlock,
    cors,
    corsXml: corsToXml(cors),
  };
}
