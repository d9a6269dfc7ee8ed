// PutBucketLifecycleConfiguration's body, read and validated as S3 answers it. Two passes, as S3
// checks a document against its schema before it checks the rules' meaning: read-rules.ts refuses
// anything the schema does not allow (MalformedXML), check-rules.ts S3's own limits
// (InvalidArgument / InvalidRequest, with the messages S3 was recorded answering).
import { randomUUID } from 'node:crypto';
import {
  checkRule,
  checkV1Overlaps,
  invalidArgument,
  invalidRequest,
  MAX_LIFECYCLE_RULES,
} from './check-rules.ts';
import { readRules } from './read-rules.ts';
import type { LifecycleRule } from './types.ts';

export { MAX_FILTER_SIZE, MAX_LIFECYCLE_RULES, MAX_RULE_ID_LENGTH } from './check-rules.ts';

export interface ParseLifecycleOptions {
  /**
   * Makes the ID of a rule put without one.
   * @default S3's form: 48 characters of base64 holding a random UUID
   */
  newId?: () => string;
}

function defaultId(): string {
  return Buffer.from(randomUUID()).toString('base64');
}

/**
 * Parses a PutBucketLifecycleConfiguration body into rules (IDs made for rules put without one).
 * @throws S3Error MalformedXML / InvalidArgument / InvalidRequest as S3 answers
 */
export function parseLifecycleConfiguration(
  xmlBody: string,
  options: ParseLifecycleOptions = {},
): LifecycleRule[] {
  const raws = readRules(xmlBody);

  if (raws.length === 0) throw invalidRequest('At least one lifecycle rule must be specified.');
  if (raws.length > MAX_LIFECYCLE_RULES) {
    throw invalidRequest(
      `The number of lifecycle rules must not exceed the allowed limit of ${MAX_LIFECYCLE_RULES} rules.`,
    );
  }
  // The first rule decides the document's form; S3 names the element that breaks it.
  const version = raws[0]!.filterStyle === 'rule-prefix' ? 'V1' : 'V2';
  for (const raw of raws) {
    if (version === 'V1' && raw.filterStyle === 'filter') {
      throw invalidRequest('Filter element can only be used in Lifecycle V2.');
    }
    if (version === 'V2' && raw.filterStyle === 'rule-prefix') {
      throw invalidRequest(
        'Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.',
      );
    }
  }
  const newId = options.newId ?? defaultId;
  const ids = new Set<string>();
  const rules = raws.map((raw): LifecycleRule => {
    checkRule(raw, version);
    const id = raw.id === undefined || raw.id === '' ? newId() : raw.id;
    if (ids.has(id)) throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule');
    ids.add(id);
    const rule: LifecycleRule = { id, status: raw.status, filter: raw.filter, filterStyle: raw.filterStyle };
    if (raw.expiration) rule.expiration = raw.expiration;
    if (raw.noncurrentVersionExpiration) rule.noncurrentVersionExpiration = raw.noncurrentVersionExpiration;
    if (raw.abortIncompleteMultipartUpload)
      rule.abortIncompleteMultipartUpload = raw.abortIncompleteMultipartUpload;
    if (raw.transitions.length > 0) rule.transitions = raw.transitions;
    if (raw.noncurrentVersionTransitions.length > 0)
      rule.noncurrentVersionTransitions = raw.noncurrentVersionTransitions;
    return rule;
  });
  if (version === 'V1') checkV1Overlaps(raws);
  return rules;
}
