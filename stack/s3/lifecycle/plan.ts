// What a bucket's lifecycle rules do at a given moment, and the headers S3 derives from them.
// Pure: the caller lists the versions and uploads and supplies the clock, then carries out the
// actions (and decides, from the bucket's versioning state, what expiring a current object means).
//
// When several enabled rules would act on one version (or upload), it gets one action, from the
// rule that falls due earliest ("the shorter expiration policy is honored"); between rules due
// at the same moment, the first in the configuration. Disabled rules never act. Transitions are
// not planned: the stack keeps one storage class, and a transition changes no object's data.
//
// The plan is of the state given: a delete marker left alone by this plan's deletions is
// "expired" only from the next run on, as S3 takes one action per object per daily run.
import { dueAfterDays, httpDate } from './due.ts';
import { matchesFilter, matchesUploadKey } from './match.ts';
import type { LifecycleAction, LifecycleRule, UploadView, VersionView } from './types.ts';

interface Due {
  at: number;
  ruleId: string;
}

/** The earliest of the rules' due times; `due` answers undefined for a rule that does not apply. */
function earliest(
  rules: readonly LifecycleRule[],
  due: (rule: LifecycleRule) => number | undefined,
): Due | undefined {
  let best: Due | undefined;
  for (const rule of rules) {
    if (rule.status !== 'Enabled') continue;
    const at = due(rule);
    if (at !== undefined && (best === undefined || at < best.at)) best = { at, ruleId: rule.id };
  }
  return best;
}

/** When a rule's Expiration (by days or by date) makes this current version expire. */
function expirationDue(rule: LifecycleRule, lastModified: number): number | undefined {
  const exp = rule.expiration;
  if (exp?.days !== undefined) return dueAfterDays(lastModified, exp.days);
  if (exp?.date !== undefined) return exp.date;
  return undefined;
}

function planKey(
  rules: readonly LifecycleRule[],
  versions: readonly VersionView[],
  now: number,
  out: LifecycleAction[],
): void {
  const latest = versions[0];
  if (!latest) return;
  const { key } = latest;
  if (!latest.deleteMarker) {
    const due = earliest(rules, (r) =>
      matchesFilter(r.filter, latest) ? expirationDue(r, latest.lastModified) : undefined,
    );
    if (due && now >= due.at) out.push({ type: 'expire-current', key, ruleId: due.ruleId });
  } else if (versions.length === 1) {
    // An expired object delete marker: ExpiredObjectDeleteMarker removes it at once; an
    // Expiration by age removes it "when the delete markers are old enough to satisfy the age
    // criteria" (and by date once the date has come).
    const due = earliest(rules, (r) => {
      if (!matchesFilter(r.filter, latest)) return undefined;
      if (r.expiration?.expiredObjectDeleteMarker === true) return Number.NEGATIVE_INFINITY;
      return expirationDue(r, latest.lastModified);
    });
    if (due && now >= due.at) {
      out.push({ type: 'delete-marker', key, versionId: latest.versionId, ruleId: due.ruleId });
    }
  }
  for (let i = 1; i < versions.length; i++) {
    const version = versions[i]!;
    const since = version.noncurrentSince ?? versions[i - 1]!.lastModified;
    // Noncurrent versions newer than this one; NewerNoncurrentVersions N keeps the N newest.
    const newer = i - 1;
    const due = earliest(rules, (r) => {
      const nve = r.noncurrentVersionExpiration;
      if (!nve || !matchesFilter(r.filter, version)) return undefined;
      if (nve.newerNoncurrentVersions !== undefined && newer < nve.newerNoncurrentVersions) return undefined;
      return dueAfterDays(since, nve.noncurrentDays);
    });
    if (due && now >= due.at) {
      out.push({ type: 'delete-version', key, versionId: version.versionId, ruleId: due.ruleId });
    }
  }
}

/**
 * The actions due at `now`: per key in the order given, the latest version's first, then its
 * noncurrent versions newest first; then the uploads to abort.
 * `keys`: for each key, all its versions newest first (index 0 is latest). Pure: no I/O, no clock reads.
 */
export function planLifecycle(
  rules: LifecycleRule[],
  keys: Iterable<VersionView[]>,
  uploads: Iterable<UploadView>,
  now: number,
): LifecycleAction[] {
  const out: LifecycleAction[] = [];
  for (const versions of keys) planKey(rules, versions, now, out);
  for (const upload of uploads) {
    const due = abortInfo(rules, upload);
    if (due && now >= due.date) {
      out.push({ type: 'abort-upload', key: upload.key, uploadId: upload.uploadId, ruleId: due.ruleId });
    }
  }
  return out;
}

/**
 * Value for x-amz-expiration on GET/HEAD/PUT of a current object, or undefined when no enabled
 * Expiration rule matches: `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"`.
 * The rule ID is written as it is, as S3 was seen to write it (its pages say URL-encoded).
 */
export function expirationHeader(
  rules: LifecycleRule[],
  obj: { key: string; size: number; tags: [string, string][]; lastModified: number },
): string | undefined {
  const due = earliest(rules, (r) =>
    matchesFilter(r.filter, obj) ? expirationDue(r, obj.lastModified) : undefined,
  );
  return due ? `expiry-date="${httpDate(due.at)}", rule-id="${due.ruleId}"` : undefined;
}

/** x-amz-abort-date / x-amz-abort-rule-id for CreateMultipartUpload, or undefined. */
export function abortInfo(
  rules: LifecycleRule[],
  upload: { key: string; initiated: number },
): { date: number; ruleId: string } | undefined {
  const due = earliest(rules, (r) => {
    const abort = r.abortIncompleteMultipartUpload;
    if (!abort || !matchesUploadKey(r.filter, upload.key)) return undefined;
    return dueAfterDays(upload.initiated, abort.daysAfterInitiation);
  });
  return due ? { date: due.at, ruleId: due.ruleId } : undefined;
}

/** The CreateMultipartUpload / ListParts response headers from abortInfo, or none. */
export function abortHeaders(
  rules: LifecycleRule[],
  upload: { key: string; initiated: number },
): Record<string, string> {
  const info = abortInfo(rules, upload);
  return info ? { 'x-amz-abort-date': httpDate(info.date), 'x-amz-abort-rule-id': info.ruleId } : {};
}
