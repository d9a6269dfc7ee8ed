// The server stores a bucket policy as the JSON text that was put (GetBucketPolicy returns it
// verbatim); the authorizer needs it parsed. This memo parses each bucket's text once and
// re-parses only when the text changes.
import { parseBucketPolicy } from './policy-parse.ts';
import type { ParsedPolicy } from './policy-types.ts';

export type BucketPolicyLookup = (bucket: string, text: string | undefined) => ParsedPolicy | undefined;

/** Returns a lookup from (bucket, stored policy text) to the parsed policy. */
export function createBucketPolicyCache(): BucketPolicyLookup {
  const cache = new Map<string, { text: string; policy: ParsedPolicy }>();
  return (bucket, text) => {
    if (text === undefined) {
      cache.delete(bucket);
      return undefined;
    }
    const hit = cache.get(bucket);
    if (hit && hit.text === text) return hit.policy;
    const policy = parseBucketPolicy(text, bucket);
    cache.set(bucket, { text, policy });
    return policy;
  };
}
