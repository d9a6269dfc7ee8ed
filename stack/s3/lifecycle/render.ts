// GetBucketLifecycleConfiguration's body: each rule as it was put (a rule-level Prefix stays one,
// a Filter keeps its single predicate or its And), elements in S3's order: ID, the filter,
// Status, then the actions.
import { block, isoDate, tag, xmlDocument } from '../xml.ts';
import type { LifecycleFilter, LifecycleRule } from './types.ts';

function predicates(filter: LifecycleFilter): string[] {
  return [
    tag('Prefix', filter.prefix),
    ...(filter.tags ?? []).map(([key, value]) => block('Tag', tag('Key', key), tag('Value', value))),
    tag('ObjectSizeGreaterThan', filter.objectSizeGreaterThan),
    tag('ObjectSizeLessThan', filter.objectSizeLessThan),
  ].filter((s) => s !== '');
}

function renderFilter(rule: LifecycleRule): string {
  if (rule.filterStyle === 'rule-prefix') return tag('Prefix', rule.filter.prefix ?? '');
  const parts = predicates(rule.filter);
  if (parts.length === 0) return '<Filter/>';
  // A filter holds one predicate unless it was an And, which the parser only accepts with two or more.
  return parts.length === 1 ? block('Filter', parts) : block('Filter', block('And', parts));
}

function date(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : isoDate(ms);
}

function renderRule(rule: LifecycleRule): string {
  const exp = rule.expiration;
  const nve = rule.noncurrentVersionExpiration;
  return block(
    'Rule',
    tag('ID', rule.id),
    renderFilter(rule),
    tag('Status', rule.status),
    exp
      ? block(
          'Expiration',
          tag('Days', exp.days),
          tag('Date', date(exp.date)),
          tag('ExpiredObjectDeleteMarker', exp.expiredObjectDeleteMarker),
        )
      : '',
    (rule.transitions ?? []).map((t) =>
      block(
        'Transition',
        tag('Days', t.days),
        tag('Date', date(t.date)),
        tag('StorageClass', t.storageClass),
      ),
    ),
    nve
      ? block(
          'NoncurrentVersionExpiration',
          tag('NoncurrentDays', nve.noncurrentDays),
          tag('NewerNoncurrentVersions', nve.newerNoncurrentVersions),
        )
      : '',
    (rule.noncurrentVersionTransitions ?? []).map((t) =>
      block(
        'NoncurrentVersionTransition',
        tag('NoncurrentDays', t.noncurrentDays),
        tag('NewerNoncurrentVersions', t.newerNoncurrentVersions),
        tag('StorageClass', t.storageClass),
      ),
    ),
    rule.abortIncompleteMultipartUpload
      ? block(
          'AbortIncompleteMultipartUpload',
          tag('DaysAfterInitiation', rule.abortIncompleteMultipartUpload.daysAfterInitiation),
        )
      : '',
  );
}

/** The full XML document for GetBucketLifecycleConfiguration. */
export function renderLifecycleConfiguration(rules: LifecycleRule[]): string {
  return xmlDocument('LifecycleConfiguration', rules.map(renderRule));
}
