// A bucket's lifecycle rules as a person reads them: which objects a rule picks, and what it does
// to them, in a line each (the raw rules go along for copying).
import type { LifecycleRule, LifecycleRuleFilter } from '@aws-sdk/client-s3';

export interface LifecycleRuleView {
  id: string;
  status: string;
  /** "prefix chat/", "tag kind=chat and larger than 1024 bytes", "all objects". */
  filter: string;
  /** One line per action, e.g. "expire current versions 30 days after creation". */
  actions: string[];
}

function tagText(t: { Key?: string; Value?: string }): string {
  return `tag ${t.Key ?? ''}=${t.Value ?? ''}`;
}

function filterText(filter: LifecycleRuleFilter | undefined, legacyPrefix: string | undefined): string {
  const parts: string[] = [];
  const and = filter?.And;
  const prefix = and ? and.Prefix : (filter?.Prefix ?? legacyPrefix);
  if (prefix) parts.push(`prefix ${prefix}`);
  if (filter?.Tag) parts.push(tagText(filter.Tag));
  for (const t of and?.Tags ?? []) parts.push(tagText(t));
  const larger = and ? and.ObjectSizeGreaterThan : filter?.ObjectSizeGreaterThan;
  const smaller = and ? and.ObjectSizeLessThan : filter?.ObjectSizeLessThan;
  if (larger !== undefined) parts.push(`larger than ${larger} bytes`);
  if (smaller !== undefined) parts.push(`smaller than ${smaller} bytes`);
  return parts.length ? parts.join(' and ') : 'all objects';
}

const plural = (n: number | undefined, unit: string) => `${n ?? 0} ${unit}${n === 1 ? '' : 's'}`;

export function lifecycleRuleView(rule: LifecycleRule): LifecycleRuleView {
  const actions: string[] = [];
  const exp = rule.Expiration;
  if (exp?.Days !== undefined)
    actions.push(`expire current versions ${plural(exp.Days, 'day')} after creation`);
  if (exp?.Date) actions.push(`expire current versions on ${exp.Date.toISOString().slice(0, 10)}`);
  if (exp?.ExpiredObjectDeleteMarker) actions.push('remove expired delete markers');
  const nve = rule.NoncurrentVersionExpiration;
  if (nve) {
    actions.push(
      `remove noncurrent versions ${plural(nve.NoncurrentDays, 'day')} after they become noncurrent${
        nve.NewerNoncurrentVersions !== undefined ? `, keeping the newest ${nve.NewerNoncurrentVersions}` : ''
      }`,
    );
  }
  const abort = rule.AbortIncompleteMultipartUpload;
  if (abort) {
    actions.push(
      `abort incomplete multipart uploads ${plural(abort.DaysAfterInitiation, 'day')} after they start`,
    );
  }
  for (const t of rule.Transitions ?? []) {
    actions.push(
      `move to ${t.StorageClass ?? '?'} ${t.Date ? `on ${t.Date.toISOString().slice(0, 10)}` : `after ${plural(t.Days, 'day')}`}`,
    );
  }
  for (const t of rule.NoncurrentVersionTransitions ?? []) {
    actions.push(
      `move noncurrent versions to ${t.StorageClass ?? '?'} after ${plural(t.NoncurrentDays, 'day')}`,
    );
  }
  return {
    id: rule.ID ?? '',
    status: rule.Status ?? '',
    filter: filterText(rule.Filter, rule.Prefix),
    actions,
  };
}
