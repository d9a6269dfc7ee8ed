// Policy grammar and validation. Bucket policies are checked as PutBucketPolicy checks them,
// answering MalformedPolicy with S3's own wording; identity policies (the stack's IAM user
// policies, read from files) are checked with IAM's rules: no Principal, any service's actions.

import { S3Error } from '../errors.ts';
import { ACCOUNT_ID } from '../identity.ts';
import { S3_ACTIONS } from './actions.ts';
import { isKnownBucketConditionKey, keyAppliesToAction } from './condition-keys.ts';
import { parseOperator } from './conditions.ts';
import { parseCidr } from './ip.ts';
import type {
  ConditionClause,
  ParsedPolicy,
  PolicyKind,
  PolicyVersion,
  PrincipalSpec,
  Statement,
} from './policy-types.ts';
import { matchesPattern } from './wildcard.ts';

/** AWS's limit for a bucket policy, counted without insignificant whitespace. */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

const S3_ARN_PREFIX = 'arn:aws:s3:::';
const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

export interface ParseBucketPolicyOptions {
  /**
   * Whether an IAM user / role ARN of this account exists. AWS refuses a policy naming a
   * principal that does not exist ("Invalid principal in policy").
   * @default every well-formed ARN is accepted
   */
  principalExists?: (arn: string) => boolean;
  /** The stack's account id. @default ACCOUNT_ID */
  accountId?: string;
}

function malformed(message: string): S3Error {
  return new S3Error('MalformedPolicy', message);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readDocument(input: string | object): { doc: Record<string, Json>; text: string } {
  if (typeof input !== 'string') {
    if (!isObject(input)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
    return { doc: input, text: JSON.stringify(input) };
  }
  const body = input.replace(/^\uFEFF/, '').trimStart();
  if (!body.startsWith('{')) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  if (!isObject(doc)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  return { doc, text: input };
}

function stringList(value: Json | undefined, onError: () => S3Error): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw onError();
}

function conditionValues(value: Json): string[] | undefined {
  const scalar = (v: Json) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  if (Array.isArray(value)) {
    const out = value.map(scalar);
    return out.length > 0 && out.every((v) => v !== undefined) ? (out as string[]) : undefined;
  }
  const one = scalar(value);
  return one === undefined ? undefined : [one];
}

function parsePrincipal(value: Json, options: ParseBucketPolicyOptions): PrincipalSpec {
  const invalid = () => malformed('Invalid principal in policy');
  const spec: PrincipalSpec = { everyone: false, aws: [], services: [], canonicalUsers: [], federated: [] };
  if (value === '*') return { ...spec, everyone: true };
  if (!isObject(value) || Object.keys(value).length === 0) throw invalid();
  const account = options.accountId ?? ACCOUNT_ID;
  for (const [type, raw] of Object.entries(value)) {
    const listed = stringList(raw, invalid);
    if (listed.length === 0 || listed.some((v) => v === '')) throw invalid();
    switch (type) {
      case 'AWS':
        for (const entry of listed) {
          if (entry === '*') {
            spec.everyone = true;
            continue;
          }
          if (/^\d{12}$/.test(entry)) {
            spec.aws.push(`arn:aws:iam::${entry}:root`);
            continue;
          }
          const m =
            /^arn:aws:(iam|sts)::(\d{12}):(root|user\/.+|role\/.+|assumed-role\/.+|federated-user\/.+)$/.exec(
              entry,
            );
          if (!m || entry.includes('*') || entry.includes('?')) throw invalid();
          const named = m[3]!;
          if (
            m[2] === account &&
            named !== 'root' &&
            options.principalExists &&
            !options.principalExists(entry)
          ) {
            throw invalid();
          }
          spec.aws.push(entry);
        }
        break;
      case 'Service':
        if (listed.some((s) => s.includes('*'))) throw invalid();
        spec.services.push(...listed);
        break;
      case 'CanonicalUser':
        spec.canonicalUsers.push(...listed);
        break;
      case 'Federated':
        spec.federated.push(...listed);
        break;
      default:
        throw invalid();
    }
  }
  return spec;
}

function parseBucketActions(listed: string[]): string[] {
  return listed.map((raw) => {
    const lower = raw === '*' ? 's3:*' : raw.toLowerCase();
    if (!lower.startsWith('s3:') || !S3_ACTIONS.some((a) => matchesPattern(lower, a.lower))) {
      throw malformed('Policy has invalid action');
    }
    return lower;
  });
}

function parseIdentityActions(listed: string[]): string[] {
  return listed.map((raw) => {
    if (raw !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?-]*$/.test(raw)) {
      throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    }
    return raw.toLowerCase();
  });
}

function checkBucketResource(resource: string, bucket: string): void {
  const rest = resource.startsWith(S3_ARN_PREFIX) ? resource.slice(S3_ARN_PREFIX.length) : '';
  const bucketPart = rest.split('/')[0] ?? '';
  if (!rest || !bucketPart || !(bucketPart.includes('${') || matchesPattern(bucketPart, bucket))) {
    throw malformed('Policy has invalid resource');
  }
}

/** Bucket policies: every action pattern must reach a resource of its type. */
function checkActionsApply(actions: string[], resources: string[]): void {
  const rests = resources.map((r) => r.slice(S3_ARN_PREFIX.length));
  const kinds = new Set<string>();
  if (rests.some((r) => !r.includes('/'))) kinds.add('bucket');
  if (rests.some((r) => r.includes('/') || r.includes('*'))) kinds.add('object');
  for (const pattern of actions) {
    const applies = S3_ACTIONS.some((a) => kinds.has(a.kind) && matchesPattern(pattern, a.lower));
    if (!applies) throw malformed('Action does not apply to any resource(s) in statement');
  }
}

function parseConditions(value: Json, kind: PolicyKind, actions: string[] | undefined): ConditionClause[] {
  if (!isObject(value)) throw malformed('Invalid policy syntax.');
  const clauses: ConditionClause[] = [];
  for (const [operator, keys] of Object.entries(value)) {
    const parsed = parseOperator(operator);
    if (!parsed) throw malformed(`Invalid Condition type : ${operator}`);
    if (!isObject(keys)) throw malformed('Invalid policy syntax.');
    for (const [key, raw] of Object.entries(keys)) {
      const values = conditionValues(raw);
      if (!values) throw malformed('Invalid policy syntax.');
      if (kind === 'bucket') {
        if (!isKnownBucketConditionKey(key)) throw malformed('Policy has an invalid condition key');
        const concrete = (actions ?? []).filter((a) => !a.includes('*') && !a.includes('?'));
        if (concrete.some((a) => !keyAppliesToAction(key, a))) {
          throw malformed('Conditions do not apply to combination of actions and resources in statement');
        }
      }
      const ipKey = key.toLowerCase() === 'aws:sourceip';
      if (
        (ipKey || parsed.base === 'IpAddress' || parsed.base === 'NotIpAddress') &&
        parsed.base !== 'Null'
      ) {
        if (values.some((v) => !parseCidr(v))) throw malformed('Invalid IP address in Conditions');
      }
      clauses.push({ operator, ...parsed, key, values });
    }
  }
  return clauses;
}

function parseStatement(
  raw: Json,
  index: number,
  kind: PolicyKind,
  bucket: string,
  options: ParseBucketPolicyOptions,
): Statement {
  if (!isObject(raw)) throw malformed('Invalid policy syntax.');
  for (const field of Object.keys(raw)) {
    if (!STATEMENT_FIELDS.has(field)) throw malformed(`Unknown field ${field}`);
  }
  const both = (a: string, b: string) => a in raw && b in raw;
  if (both('Action', 'NotAction') || both('Resource', 'NotResource') || both('Principal', 'NotPrincipal')) {
    throw malformed('Invalid policy syntax.');
  }
  if ('Sid' in raw && typeof raw.Sid !== 'string') throw malformed('Invalid policy syntax.');
  const sid = typeof raw.Sid === 'string' && raw.Sid !== '' ? raw.Sid : undefined;

  if (!('Effect' in raw)) throw malformed('Missing required field Effect');
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed(`Invalid effect: ${String(effect)}`);

  let principal: PrincipalSpec | undefined;
  const notPrincipal = 'NotPrincipal' in raw;
  if (kind === 'identity') {
    if ('Principal' in raw || notPrincipal)
      throw malformed('Policy document should not specify a principal.');
  } else {
    const value = raw.Principal ?? raw.NotPrincipal;
    if (value === undefined) throw malformed('Missing required field Principal');
    principal = parsePrincipal(value, options);
  }

  const notAction = 'NotAction' in raw;
  const actionValue = raw.Action ?? raw.NotAction;
  if (actionValue === undefined) {
    throw malformed(
      kind === 'bucket' ? 'Missing required field Action' : 'Policy statement must contain actions.',
    );
  }
  const listedActions = stringList(actionValue, () => malformed('Policy has invalid action'));
  if (listedActions.length === 0) throw malformed('Policy has invalid action');
  const actions = kind === 'bucket' ? parseBucketActions(listedActions) : parseIdentityActions(listedActions);

  const notResource = 'NotResource' in raw;
  const resourceValue = raw.Resource ?? raw.NotResource;
  if (resourceValue === undefined) {
    throw malformed(
      kind === 'bucket' ? 'Missing required field Resource' : 'Policy statement must contain resources.',
    );
  }
  const resources = stringList(resourceValue, () => malformed('Policy has invalid resource'));
  if (resources.length === 0) throw malformed('Policy has invalid resource');
  if (kind === 'bucket') {
    for (const r of resources) checkBucketResource(r, bucket);
    if (!notAction && !notResource) checkActionsApply(actions, resources);
  } else {
    for (const r of resources) {
      if (r !== '*' && !r.startsWith('arn:')) throw malformed(`Resource ${r} must be in ARN format or "*".`);
    }
  }

  const conditions =
    raw.Condition === undefined ? [] : parseConditions(raw.Condition, kind, notAction ? undefined : actions);
  return {
    index,
    sid,
    effect,
    principal,
    notPrincipal,
    actions,
    notAction,
    resources,
    notResource,
    conditions,
  };
}

function parseDocument(
  input: string | object,
  kind: PolicyKind,
  bucket: string,
  options: ParseBucketPolicyOptions,
): ParsedPolicy {
  const { doc, text } = readDocument(input);
  if (kind === 'bucket' && Buffer.byteLength(JSON.stringify(doc)) > MAX_BUCKET_POLICY_BYTES) {
    throw malformed('Policy exceeds the maximum allowed document size.');
  }
  for (const field of Object.keys(doc)) {
    if (field !== 'Version' && field !== 'Id' && field !== 'Statement')
      throw malformed(`Unknown field ${field}`);
  }
  let version: PolicyVersion = '2008-10-17';
  if ('Version' in doc) {
    if (doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
      throw malformed('The policy must contain a valid version string');
    }
    version = doc.Version;
  }
  if ('Id' in doc && typeof doc.Id !== 'string') throw malformed('Invalid policy syntax.');
  const rawStatements = doc.Statement;
  if (rawStatements === undefined) throw malformed('Missing required field Statement');
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  if (list.length === 0) throw malformed('Could not parse the policy: Statement is empty!');
  const statements = list.map((s, i) => parseStatement(s, i, kind, bucket, options));
  if (kind === 'identity') {
    const sids = statements.flatMap((s) => (s.sid ? [s.sid] : []));
    if (new Set(sids).size !== sids.length) {
      throw malformed('Statement IDs (SID) in a single policy must be unique.');
    }
  }
  return { kind, version, id: typeof doc.Id === 'string' ? doc.Id : undefined, statements, text };
}

/**
 * Parses and validates a bucket policy for `bucket` as PutBucketPolicy does.
 * @throws S3Error MalformedPolicy with AWS's message for the first fault found
 */
export function parseBucketPolicy(
  input: string | object,
  bucket: string,
  options: ParseBucketPolicyOptions = {},
): ParsedPolicy {
  return parseDocument(input, 'bucket', bucket, options);
}

/**
 * Parses and validates an IAM identity policy (attached to a user).
 * @throws S3Error MalformedPolicy naming the fault
 */
export function parseIdentityPolicy(input: string | object): ParsedPolicy {
  return parseDocument(input, 'identity', '', {});
}
