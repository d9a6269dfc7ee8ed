// Whether a rule's filter selects an object: every predicate present must hold. Tags match on key
// and exact value (extra tags on the object do not matter); the size bounds exclude their values.
import type { LifecycleFilter } from './types.ts';

export interface FilterSubject {
  key: string;
  size: number;
  tags: readonly (readonly [string, string])[];
}

export function matchesFilter(filter: LifecycleFilter, obj: FilterSubject): boolean {
  if (filter.prefix !== undefined && !obj.key.startsWith(filter.prefix)) return false;
  if (filter.objectSizeGreaterThan !== undefined && !(obj.size > filter.objectSizeGreaterThan)) return false;
  if (filter.objectSizeLessThan !== undefined && !(obj.size < filter.objectSizeLessThan)) return false;
  for (const [key, value] of filter.tags ?? []) {
    if (!obj.tags.some(([k, v]) => k === key && v === value)) return false;
  }
  return true;
}

/** Uploads are selected by prefix only: S3 refuses tag and size filters on the abort action. */
export function matchesUploadKey(filter: LifecycleFilter, key: string): boolean {
  return filter.prefix === undefined || key.startsWith(filter.prefix);
}
