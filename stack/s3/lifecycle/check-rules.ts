// Pass 2 of reading a PutBucketLifecycleConfiguration body: S3's own limits on rules the schema
// allowed, refused with S3's codes and messages (InvalidArgument / InvalidRequest).
import { S3Error } from '../errors.ts';
import { DAY_MS } from './due.ts';
import type { RawRule } from './read-rules.ts';
import type { LifecycleFilter } from './types.ts';

export const MAX_LIFECYCLE_RULES = 1000;
export const MAX_RULE_ID_LENGTH = 255;
/** S3's bound on the size filters, from its own message. */
export const MAX_FILTER_SIZE = 1099511627776000;
/** Storage classes S3 bills for at least 30 days, so transitions to them wait 30 days. */
const THIRTY_DAY_CLASSES: readonly string[] = ['STANDARD_IA', 'ONEZONE_IA'];

export function invalidArgument(message: string): S3Error {
  return new S3Error('InvalidArgument', message);
}

export function invalidRequest(message: string): S3Error {
  return new S3Error('InvalidRequest', message);
}

function isMidnight(ms: number): boolean {
  return ms % DAY_MS === 0;
}

function checkFilter(filter: LifecycleFilter): void {
  const keys = new Set<string>();
  for (const [key] of filter.tags ?? []) {
    if (keys.has(key)) throw invalidRequest('Duplicate Tag Keys are not allowed.');
    keys.add(key);
  }
  const gt = filter.objectSizeGreaterThan;
  const lt = filter.objectSizeLessThan;
  if (gt !== undefined && (gt < 0 || gt > MAX_FILTER_SIZE)) {
    throw invalidRequest(`'ObjectSizeGreaterThan' should be between 0 and ${MAX_FILTER_SIZE}.`);
  }
  if (lt !== undefined && (lt < 1 || lt > MAX_FILTER_SIZE)) {
    throw invalidRequest(`'ObjectSizeLessThan' should be between 1 and ${MAX_FILTER_SIZE}.`);
  }
  if (gt !== undefined && lt !== undefined && lt <= gt) {
    throw invalidRequest("'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.");
  }
}

function checkTransitionDays(days: number, element: string, action: string, sc: string): void {
  if (days < 0) throw invalidArgument(`'${element}' in ${action} action must be nonnegative`);
  if (THIRTY_DAY_CLASSES.includes(sc) && days < 30) {
    throw invalidArgument(
      `'${element}' in ${action} action must be greater than or equal to 30 for storageClass '${sc}'`,
    );
  }
}

export function checkRule(raw: RawRule, version: 'V1' | 'V2'): void {
  const hasAction =
    raw.expiration !== undefined ||
    raw.noncurrentVersionExpiration !== undefined ||
    raw.abortIncompleteMultipartUpload !== undefined ||
    raw.transitions.length > 0 ||
    raw.noncurrentVersionTransitions.length > 0;
  if (!hasAction) throw invalidRequest('At least one action needs to be specified in a rule');
  if (raw.id !== undefined && raw.id.length > MAX_RULE_ID_LENGTH) {
    throw invalidArgument(`ID length should not exceed allowed limit of ${MAX_RULE_ID_LENGTH}`);
  }
  checkFilter(raw.filter);

  const exp = raw.expiration;
  if (exp?.days !== undefined && exp.days <= 0) {
    throw invalidArgument("'Days' for Expiration action must be a positive integer");
  }
  if (exp?.date !== undefined && !isMidnight(exp.date))
    throw invalidArgument("'Date' must be at midnight GMT");
  const nve = raw.noncurrentVersionExpiration;
  if (nve && nve.noncurrentDays <= 0) {
    throw invalidArgument(
      "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
    );
  }
  if (nve?.newerNoncurrentVersions !== undefined && nve.newerNoncurrentVersions <= 0) {
    throw invalidArgument(
      "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer",
    );
  }
  const abort = raw.abortIncompleteMultipartUpload;
  if (abort && abort.daysAfterInitiation <= 0) {
    throw invalidArgument(
      "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
    );
  }
  for (const t of raw.transitions) {
    if (t.date !== undefined && !isMidnight(t.date)) throw invalidArgument("'Date' must be at midnight GMT");
    if (t.days !== undefined) checkTransitionDays(t.days, 'Days', 'Transition', t.storageClass);
  }
  for (const t of raw.noncurrentVersionTransitions) {
    checkTransitionDays(t.noncurrentDays, 'NoncurrentDays', 'NoncurrentVersionTransition', t.storageClass);
    if (t.newerNoncurrentVersions !== undefined && t.newerNoncurrentVersions <= 0) {
      throw invalidArgument(
        "'NewerNoncurrentVersions' for NoncurrentVersionTransition action must be a positive integer",
      );
    }
  }

  // Actions that are not about one object's data cannot select by its tags or size.
  const hasTags = (raw.filter.tags?.length ?? 0) > 0;
  const hasSize =
    raw.filter.objectSizeGreaterThan !== undefined || raw.filter.objectSizeLessThan !== undefined;
  const unfiltered: [boolean, string][] = [
    [abort !== undefined, 'AbortIncompleteMultipartUpload'],
    [exp?.expiredObjectDeleteMarker !== undefined, 'ExpiredObjectDeleteMarker'],
  ];
  for (const [present, name] of unfiltered) {
    if (present && hasTags) throw invalidRequest(`${name} cannot be specified with Tags.`);
    if (present && hasSize) throw invalidRequest(`${name} cannot be specified with Object Size.`);
  }

  if (
    version === 'V1' &&
    (nve?.newerNoncurrentVersions !== undefined ||
      raw.noncurrentVersionTransitions.some((t) => t.newerNoncurrentVersions !== undefined))
  ) {
    throw invalidRequest('NewerNoncurrentVersions element can only be used in Lifecycle V2.');
  }
}

function actionTypes(raw: RawRule): string[] {
  const types: string[] = [];
  if (raw.expiration) types.push('Expiration');
  if (raw.transitions.length > 0) types.push('Transition');
  if (raw.noncurrentVersionExpiration) types.push('NoncurrentVersionExpiration');
  if (raw.noncurrentVersionTransitions.length > 0) types.push('NoncurrentVersionTransition');
  if (raw.abortIncompleteMultipartUpload) types.push('AbortIncompleteMultipartUpload');
  return types;
}

/** Lifecycle V1 (rule-level prefixes) refuses two rules whose prefixes overlap for one action. */
export function checkV1Overlaps(rules: RawRule[]): void {
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!.filter.prefix ?? '';
      const b = rules[j]!.filter.prefix ?? '';
      if (!a.startsWith(b) && !b.startsWith(a)) continue;
      const shared = actionTypes(rules[i]!).find((t) => actionTypes(rules[j]!).includes(t));
      if (shared !== undefined) {
        throw invalidRequest(`Found overlapping prefixes '${a}' and '${b}' for same action type '${shared}'`);
      }
    }
  }
}
