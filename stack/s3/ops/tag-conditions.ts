// Condition keys derived from object tags: s3:ExistingObjectTag/<key> (the stored object) and
// s3:RequestObjectTag/<key> + s3:RequestObjectTagKeys (tags in the request).
import { header, type RequestContext } from '../request-context.ts';
import type { ObjectRecord } from '../storage/types.ts';
import { parseTagQuery } from '../tags.ts';

export function existingTagConditions(rec: ObjectRecord | undefined): Record<string, string> {
  const c: Record<string, string> = {};
  for (const [k, v] of rec?.tags ?? []) c[`s3:ExistingObjectTag/${k}`] = v;
  return c;
}

export function tagConditions(tags: [string, string][]): Record<string, string | string[]> {
  const c: Record<string, string | string[]> = {};
  for (const [k, v] of tags) c[`s3:RequestObjectTag/${k}`] = v;
  if (tags.length) c['s3:RequestObjectTagKeys'] = tags.map(([k]) => k);
  return c;
}

export function requestTagConditions(ctx: RequestContext): Record<string, string | string[]> {
  const raw = header(ctx, 'x-amz-tagging');
  if (raw === undefined) return {};
  try {
    return tagConditions(parseTagQuery(raw));
  } catch {
    // Invalid tags are reported by the operation itself, after authorization.
    return {};
  }
}
