// Lifecycle rules from a JSON file in the AWS CLI's put-bucket-lifecycle-configuration shape
// (`{ "Rules": [...] }`), the form teams already keep next to their infrastructure code.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BucketLifecycleConfiguration, LifecycleRule } from '@aws-sdk/client-s3';

/** The rules the stack ships (stack/policies/lifecycle.json). */
export const DEFAULT_LIFECYCLE_FILE = fileURLToPath(new URL('../policies/lifecycle.json', import.meta.url));

export async function readLifecycleFile(path: string): Promise<BucketLifecycleConfiguration> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read lifecycle rules (${(err as Error).message})`);
  }
  const rules = (doc as { Rules?: unknown }).Rules;
  if (!Array.isArray(rules)) throw new Error(`${path}: expected { "Rules": [...] } as aws s3api takes it`);
  // The CLI takes Expiration.Date as an ISO string; the SDK serializes Date objects.
  for (const r of rules as { Expiration?: { Date?: unknown } }[]) {
    if (typeof r.Expiration?.Date === 'string') r.Expiration.Date = new Date(r.Expiration.Date);
  }
  return { Rules: rules as LifecycleRule[] };
}
