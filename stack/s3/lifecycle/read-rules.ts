// Pass 1 of reading a PutBucketLifecycleConfiguration body: the document against S3's schema.
// Anything the schema does not allow (unknown or repeated elements, a missing Status, a rule with
// neither or both of Filter and a rule-level Prefix, a Filter of two predicates outside an And,
// an And of fewer than two, an Expiration of not exactly one of Days / Date /
// ExpiredObjectDeleteMarker, a number that is not one) is MalformedXML, whatever else is wrong.
import { S3Error } from '../errors.ts';
import { children, parseXmlBody, type XmlTree } from '../xml.ts';
import {
  type LifecycleFilter,
  type LifecycleNoncurrentTransition,
  type LifecycleTransition,
  STORAGE_CLASSES,
  type TransitionStorageClass,
} from './types.ts';

function malformed(): S3Error {
  return new S3Error('MalformedXML');
}

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
export interface RawRule {
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

/** The rules of a LifecycleConfiguration document, as the schema allows them. */
export function readRules(xmlBody: string): RawRule[] {
  const root = parseXmlBody(xmlBody, 'LifecycleConfiguration');
  elementNames(root, ['Rule']);
  return children(root, 'Rule').map((r) => readRule(container(r)!));
}
