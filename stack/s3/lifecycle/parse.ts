// PutBucketLifecycleConfiguration's body, read and validated as S3 answers it. Two passes, as S3
// checks a document against its schema before it checks the rules' meaning: the first refuses
// anything the schema does not allow (MalformedXML), the second S3's own limits
// (InvalidArgument / InvalidRequest, with S3's messages). The messages are the ones S3 was
// recorded answering; see the module's tests for each.
import { randomUUID } from 'node:crypto';
import { S3Error } from '../errors.ts';
import { children, parseXmlBody, type XmlTree } from '../xml.ts';
import {
  type LifecycleFilter,
  type LifecycleNoncurrentTransition,
  type LifecycleRule,
  type LifecycleTransition,
  STORAGE_CLASSES,
  type TransitionStorageClass,
} from './types.ts';

export const MAX_LIFECYCLE_RULES = 1000;
export const MAX_RULE_ID_LENGTH = 255;
/** S3's bound on the size filters, from its own message. */
export const MAX_FILTER_SIZE = 1099511627776000;
/** Storage classes S3 bills for at least 30 days, so transitions to them wait 30 days. */
const THIRTY_DAY_CLASSES: readonly string[] = ['STANDARD_IA', 'ONEZONE_IA'];

const DAY_MS = 86_400_000;

export interface ParseLifecycleOptions {
  /**
   * Makes the ID of a rule put without one.
   * @default S3's form: 48 characters of base64 holding a random UUID
   */
  newId?: () => string;
}

function malformed(): S3Error {
  return new S3Error('MalformedXML');
}

function invalidArgument(message: string): S3Error {
  return new S3Error('InvalidArgument', message);
}

function invalidRequest(message: string): S3Error {
  return new S3Error('InvalidRequest', message);
}

function defaultId(): string {
  return Buffer.from(randomUUID()).toString('base64');
}

// --- pass 1: the schema -------------------------------------------------------------------------

type Node = XmlTree | string;

/** Child element names, formatting text ignored; anything else than `allowed` is MalformedXML. */
function elementNames(node: XmlTree, allowed: readonly string[]): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(node)) {
    if (name === '#text') {
      const parts = Array.isArray(value) ? value : [value];
      if (parts.some((p) => typeof p !== 'string' || p.trim() !== '')) throw malformed();
      continue;
    }
    if (!allowed.includes(name)) throw malformed();
    names.push(name);
  }
  return names;
}

/** An element that may appear once: undefined when absent, MalformedXML when repeated. */
function single(node: XmlTree, name: string): Node | undefined {
  const v = node[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) {
    if (v.length !== 1) throw malformed();
    return v[0] as Node;
  }
  return v as Node;
}

/** Text of a leaf element; an element with children is MalformedXML. */
function leaf(value: Node | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  const keys = Object.keys(value);
  if (keys.length === 0) return '';
  if (keys.length === 1 && typeof value['#text'] === 'string') return value['#text'];
  throw malformed();
}

/** A container element: '' (empty element) becomes {}; text content is MalformedXML. */
function container(value: Node | undefined): XmlTree | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (value.trim() !== '') throw malformed();
    return {};
  }
  return value;
}

function integer(value: Node | undefined, min: number, max: number): number | undefined {
  const raw = leaf(value);
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw malformed();
  const n = Number(trimmed);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw malformed();
  return n === 0 ? 0 : n; // no -0
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const int = (value: Node | undefined) => integer(value, INT_MIN, INT_MAX);
const long = (value: Node | undefined) => integer(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

/** xsd:dateTime; a zone-less time is read as UTC. */
function dateTime(value: Node | undefined): number | undefined {
  const raw = leaf(value);
  if (raw === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(raw.trim());
  if (!m) throw malformed();
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(base);
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) ||
    check.getUTCSeconds() !== Number(s)
  ) {
    throw malformed();
  }
  // Sub-millisecond digits only matter for "is it midnight": keep any non-zero fraction visible.
  const fraction = frac ? Number(frac) : 0;
  const fractionMs = fraction === 0 ? 0 : Math.max(1, Math.floor(fraction * 1000));
  let offset = 0;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return base + fractionMs - offset;
}

function bool(value: Node | undefined): boolean | undefined {
  const raw = leaf(value);
  if (raw === undefined) return undefined;
  const t = raw.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw malformed();
}

function storageClass(value: Node | undefined): TransitionStorageClass {
  const raw = leaf(value);
  if (raw === undefined || !(STORAGE_CLASSES as readonly string[]).includes(raw)) throw malformed();
  return raw as TransitionStorageClass;
}

/** A rule as the schema allows it, before S3's own checks. */
interface RawRule {
  id?: string;
  status: 'Enabled' | 'Disabled';
  filterStyle: 'rule-prefix' | 'filter';
  filter: LifecycleFilter;
  expiration?: { days?: number; date?: number; expiredObjectDeleteMarker?: boolean };
  noncurrentVersionExpiration?: { noncurrentDays: number; newerNoncurrentVersions?: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
  transitions: LifecycleTransition[];
  noncurrentVersionTransitions: LifecycleNoncurrentTransition[];
}

const RULE_ELEMENTS = [
  'ID',
  'Prefix',
  'Filter',
  'Status',
  'Expiration',
  'Transition',
  'NoncurrentVersionTransition',
  'NoncurrentVersionExpiration',
  'AbortIncompleteMultipartUpload',
];
const PREDICATES = ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'];

function readTags(node: XmlTree): [string, string][] {
  return children(node, 'Tag').map((tagNode): [string, string] => {
    elementNames(tagNode, ['Key', 'Value']);
    const key = leaf(single(tagNode, 'Key'));
    if (key === undefined || key === '') throw malformed();
    return [key, leaf(single(tagNode, 'Value')) ?? ''];
  });
}

/** The predicates of a Filter or an And, and how many were written. */
function readPredicates(node: XmlTree): { filter: LifecycleFilter; count: number } {
  const filter: LifecycleFilter = {};
  let count = 0;
  const prefix = leaf(single(node, 'Prefix'));
  if (prefix !== undefined) {
    filter.prefix = prefix;
    count++;
  }
  const tags = readTags(node);
  if (tags.length > 0) {
    filter.tags = tags;
    count += tags.length;
  }
  const gt = long(single(node, 'ObjectSizeGreaterThan'));
  if (gt !== undefined) {
    filter.objectSizeGreaterThan = gt;
    count++;
  }
  const lt = long(single(node, 'ObjectSizeLessThan'));
  if (lt !== undefined) {
    filter.objectSizeLessThan = lt;
    count++;
  }
  return { filter, count };
}

function readFilter(value: Node): LifecycleFilter {
  const node = container(value)!;
  const names = elementNames(node, [...PREDICATES, 'And']);
  if (names.includes('And')) {
    // `And` stands alone, and holds two predicates or more.
    if (names.length > 1) throw malformed();
    const and = container(single(node, 'And'))!;
    elementNames(and, PREDICATES);
    const { filter, count } = readPredicates(and);
    if (count < 2) throw malformed();
    return filter;
  }
  const { filter, count } = readPredicates(node);
  // "A Filter must have exactly one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan,
  // or And", or none at all (the whole bucket).
  if (count > 1) throw malformed();
  return filter;
}

function readExpiration(value: Node): NonNullable<RawRule['expiration']> {
  const node = container(value)!;
  elementNames(node, ['Days', 'Date', 'ExpiredObjectDeleteMarker']);
  const days = int(single(node, 'Days'));
  const date = dateTime(single(node, 'Date'));
  const expiredObjectDeleteMarker = bool(single(node, 'ExpiredObjectDeleteMarker'));
  const given = [days, date, expiredObjectDeleteMarker].filter((v) => v !== undefined).length;
  // Exactly one of the three: S3 answers MalformedXML to ExpiredObjectDeleteMarker with Days.
  if (given !== 1) throw malformed();
  const out: NonNullable<RawRule['expiration']> = {};
  if (days !== undefined) out.days = days;
  if (date !== undefined) out.date = date;
  if (expiredObjectDeleteMarker !== undefined) out.expiredObjectDeleteMarker = expiredObjectDeleteMarker;
  return out;
}

function readNoncurrentExpiration(value: Node): NonNullable<RawRule['noncurrentVersionExpiration']> {
  const node = container(value)!;
  elementNames(node, ['NoncurrentDays', 'NewerNoncurrentVersions']);
  const noncurrentDays = int(single(node, 'NoncurrentDays'));
  if (noncurrentDays === undefined) throw malformed();
  const newer = int(single(node, 'NewerNoncurrentVersions'));
  return newer === undefined ? { noncurrentDays } : { noncurrentDays, newerNoncurrentVersions: newer };
}

function readAbort(value: Node): { daysAfterInitiation: number } {
  const node = container(value)!;
  elementNames(node, ['DaysAfterInitiation']);
  const daysAfterInitiation = int(single(node, 'DaysAfterInitiation'));
  if (daysAfterInitiation === undefined) throw malformed();
  return { daysAfterInitiation };
}

function readTransition(node: XmlTree): LifecycleTransition {
  elementNames(node, ['Days', 'Date', 'StorageClass']);
  const days = int(single(node, 'Days'));
  const date = dateTime(single(node, 'Date'));
  if ((days === undefined) === (date === undefined)) throw malformed();
  const sc = storageClass(single(node, 'StorageClass'));
  return days !== undefined ? { days, storageClass: sc } : { date: date!, storageClass: sc };
}

function readNoncurrentTransition(node: XmlTree): LifecycleNoncurrentTransition {
  elementNames(node, ['NoncurrentDays', 'NewerNoncurrentVersions', 'StorageClass']);
  const noncurrentDays = int(single(node, 'NoncurrentDays'));
  if (noncurrentDays === undefined) throw malformed();
  const newer = int(single(node, 'NewerNoncurrentVersions'));
  const sc = storageClass(single(node, 'StorageClass'));
  return newer === undefined
    ? { noncurrentDays, storageClass: sc }
    : { noncurrentDays, newerNoncurrentVersions: newer, storageClass: sc };
}

function readRule(node: XmlTree): RawRule {
  elementNames(node, RULE_ELEMENTS);
  const status = leaf(single(node, 'Status'));
  if (status !== 'Enabled' && status !== 'Disabled') throw malformed();
  const rulePrefix = leaf(single(node, 'Prefix'));
  const filterNode = single(node, 'Filter');
  // "Filter is required if the LifecycleRule does not contain a Prefix element"; not both.
  if ((rulePrefix === undefined) === (filterNode === undefined)) throw malformed();
  const rule: RawRule = {
    status,
    filterStyle: rulePrefix !== undefined ? 'rule-prefix' : 'filter',
    filter: rulePrefix !== undefined ? { prefix: rulePrefix } : readFilter(filterNode!),
    transitions: children(node, 'Transition').map((t) => readTransition(container(t)!)),
    noncurrentVersionTransitions: children(node, 'NoncurrentVersionTransition').map((t) =>
      readNoncurrentTransition(container(t)!),
    ),
  };
  const id = leaf(single(node, 'ID'));
  if (id !== undefined) rule.id = id;
  const expiration = single(node, 'Expiration');
  if (expiration !== undefined) rule.expiration = readExpiration(expiration);
  const noncurrent = single(node, 'NoncurrentVersionExpiration');
  if (noncurrent !== undefined) rule.noncurrentVersionExpiration = readNoncurrentExpiration(noncurrent);
  const abort = single(node, 'AbortIncompleteMultipartUpload');
  if (abort !== undefined) rule.abortIncompleteMultipartUpload = readAbort(abort);
  return rule;
}

// --- pass 2: S3's rules -------------------------------------------------------------------------

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

function checkRule(raw: RawRule, version: 'V1' | 'V2'): void {
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
function checkV1Overlaps(rules: RawRule[]): void {
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

/**
 * Parses a PutBucketLifecycleConfiguration body into rules (IDs made for rules put without one).
 * @throws S3Error MalformedXML / InvalidArgument / InvalidRequest as S3 answers
 */
export function parseLifecycleConfiguration(
  xmlBody: string,
  options: ParseLifecycleOptions = {},
): LifecycleRule[] {
  const root = parseXmlBody(xmlBody, 'LifecycleConfiguration');
  elementNames(root, ['Rule']);
  const raws = children(root, 'Rule').map((r) => readRule(container(r)!));

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
