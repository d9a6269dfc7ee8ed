// Policy evaluation for requests within one account, as AWS documents it: an explicit Deny in
// any applicable policy wins; otherwise an Allow in the caller's identity policies or in the
// bucket policy grants; otherwise the request is implicitly denied. Block Public Access's
// RestrictPublicBuckets takes public bucket-policy grants away from anonymous callers.
// Each decision carries a sentence for the developer saying which statement decided it.
import { ACCOUNT_ID, type Identity } from '../identity.ts';
import { failingClause } from './conditions.ts';
import type {
  ConditionClause,
  NamedPolicy,
  ParsedPolicy,
  PrincipalSpec,
  PublicAccessBlockFlags,
  Statement,
} from './policy-types.ts';
import { isPublicPolicy } from './public-policy.ts';
import type { AccessDecision } from './types.ts';
import { type ContextValues, compilePattern, matchesPattern } from './wildcard.ts';

export interface EvaluationInput {
  action: string;
  resource: string;
  /** null is the anonymous principal. */
  principal: Identity | null;
  /** Condition keys (lower-case) with their values, already enriched with aws:* keys. */
  context: ContextValues;
  identityPolicies: readonly NamedPolicy[];
  bucketPolicy?: ParsedPolicy;
  bucket?: string;
  publicAccessBlock?: PublicAccessBlockFlags;
  /** @default ACCOUNT_ID */
  accountId?: string;
}

type Source = { policy: 'identity'; name: string } | { policy: 'bucket'; name?: string };

interface Hit {
  source: Source;
  statement: Statement;
}

interface NearMiss extends Hit {
  why: string;
}

function accountOf(arn: string): string | undefined {
  return /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

/**
 * Whether a principal entry list names the caller. An account principal (`<id>` or its root
 * ARN) covers every identity of that account when it denies or excludes; when it allows it
 * delegates to the account, so a user still needs an identity policy ('delegated').
 */
function listedPrincipal(
  spec: PrincipalSpec,
  principal: Identity | null,
  accountWide: boolean,
): 'yes' | 'no' | 'delegated' {
  if (spec.everyone) return 'yes';
  if (!principal) return 'no';
  let delegated = false;
  for (const arn of spec.aws) {
    if (arn === principal.arn) return 'yes';
    if (arn.endsWith(':root') && accountOf(arn) === accountOf(principal.arn)) {
      if (accountWide || principal.root) return 'yes';
      delegated = true;
    }
  }
  return delegated ? 'delegated' : 'no';
}

function principalMatches(statement: Statement, principal: Identity | null): 'yes' | 'no' | 'delegated' {
  if (!statement.principal) return 'yes'; // identity policies apply to their own user
  if (statement.notPrincipal) {
    return listedPrincipal(statement.principal, principal, true) === 'yes' ? 'no' : 'yes';
  }
  return listedPrincipal(statement.principal, principal, statement.effect === 'Deny');
}

function actionMatches(statement: Statement, action: string): boolean {
  const lower = action.toLowerCase();
  const hit = statement.actions.some((p) =>
    matchesPattern(p, lower, { ignoreCase: true, version: '2008-10-17' }),
  );
  return statement.notAction ? !hit : hit;
}

function resourceMatches(
  statement: Statement,
  resource: string,
  vars: ContextValues,
  policy: ParsedPolicy,
): boolean {
  const hit = statement.resources.some(
    (p) => compilePattern(p, { vars, version: policy.version })?.test(resource) ?? false,
  );
  return statement.notResource ? !hit : hit;
}

function describeClause(clause: ConditionClause): string {
  return `${clause.operator} ${clause.key} ${JSON.stringify(clause.values.length === 1 ? clause.values[0] : clause.values)}`;
}

/** `'Sid'` or `#2`, the way a developer finds the statement in the file. */
function label(statement: Statement): string {
  return statement.sid ? `'${statement.sid}'` : `#${statement.index + 1}`;
}

function where(source: Source): string {
  return source.policy === 'identity' ? `identity policy '${source.name}'` : 'bucket policy';
}

function decidedBy(hit: Hit): NonNullable<AccessDecision['decidedBy']> {
  return {
    policy: hit.source.policy,
    name: hit.source.name,
    sid: hit.statement.sid,
    index: hit.statement.index,
  };
}

/** Evaluates one request against the policies that apply to it. */
export function evaluateAccess(input: EvaluationInput): AccessDecision {
  const { principal, action, resource, context } = input;
  if (principal?.root) {
    return {
      allowed: true,
      reason: 'Allowed: the account root user is always allowed',
      decidedBy: { policy: 'root' },
    };
  }

  const allows: Hit[] = [];
  const nearMisses: NearMiss[] = [];
  const delegations: Hit[] = [];
  const consider = (policy: ParsedPolicy, source: Source) => {
    for (const statement of policy.statements) {
      const who = principalMatches(statement, principal);
      if (who === 'no') continue;
      if (!actionMatches(statement, action) || !resourceMatches(statement, resource, context, policy))
        continue;
      const failed = failingClause(statement.conditions, context, policy.version);
      if (failed) {
        if (statement.effect === 'Allow')
          nearMisses.push({ source, statement, why: `its condition ${describeClause(failed)} did not hold` });
        continue;
      }
      if (statement.effect === 'Deny') return { source, statement };
      if (who === 'delegated') delegations.push({ source, statement });
      else allows.push({ source, statement });
    }
    return undefined;
  };

  const identityPolicies = principal ? input.identityPolicies : [];
  for (const named of identityPolicies) {
    const deny = consider(named.policy, { policy: 'identity', name: named.name });
    if (deny) return explicitDeny(deny);
  }
  if (input.bucketPolicy) {
    const deny = consider(input.bucketPolicy, { policy: 'bucket', name: input.bucket });
    if (deny) return explicitDeny(deny);
  }

  const identityAllow = allows.find((h) => h.source.policy === 'identity');
  if (identityAllow) {
    return {
      allowed: true,
      reason: `Allowed by ${where(identityAllow.source)} statement ${label(identityAllow.statement)}`,
      decidedBy: decidedBy(identityAllow),
    };
  }
  const bucketAllow = allows.find((h) => h.source.policy === 'bucket');
  if (bucketAllow) {
    // RestrictPublicBuckets: a public policy serves only the account's own principals (and AWS
    // services); the anonymous caller is outside the account.
    if (!principal && input.publicAccessBlock?.RestrictPublicBuckets && isPublicPolicy(input.bucketPolicy)) {
      return {
        allowed: false,
        reason: `Denied: Block Public Access (RestrictPublicBuckets) ignores the public grant of statement ${label(bucketAllow.statement)}`,
        decidedBy: {
          ...decidedBy(bucketAllow),
          policy: 'block-public-access',
          name: 'RestrictPublicBuckets',
        },
      };
    }
    return {
      allowed: true,
      reason: `Allowed by bucket policy statement ${label(bucketAllow.statement)}`,
      decidedBy: decidedBy(bucketAllow),
    };
  }
  return implicitDeny(input, identityPolicies, nearMisses, delegations);
}

function explicitDeny(hit: Hit): AccessDecision {
  const sid = hit.statement.sid ? ` (Sid ${hit.statement.sid})` : '';
  return {
    allowed: false,
    reason: `Denied by explicit Deny in ${where(hit.source)} statement #${hit.statement.index + 1}${sid}`,
    decidedBy: decidedBy(hit),
  };
}

function implicitDeny(
  input: EvaluationInput,
  identityPolicies: readonly NamedPolicy[],
  nearMisses: readonly NearMiss[],
  delegations: readonly Hit[],
): AccessDecision {
  const { principal, action, resource } = input;
  const sources = identityPolicies.map((p) => `identity policy '${p.name}'`);
  if (input.bucketPolicy) sources.push('the bucket policy');
  let reason: string;
  if (!principal && !input.bucketPolicy) {
    reason = `Denied: anonymous requests are allowed only by a bucket policy, and ${
      input.bucket ? `bucket '${input.bucket}' has none` : `${action} on ${resource} involves no bucket`
    }`;
  } else if (sources.length === 0) {
    reason = `Denied: user '${principal?.name}' has no identity policy and there is no bucket policy to allow ${action} on ${resource}`;
  } else {
    const who = principal ? '' : 'anonymous ';
    reason = `Denied: no statement in ${sources.join(' or ')} allows ${who}${action} on ${resource}`;
  }
  const notes = [
    ...nearMisses.map((m) => `${where(m.source)} statement ${label(m.statement)} matched but ${m.why}`),
    ...delegations.map(
      (d) =>
        `bucket policy statement ${label(d.statement)} grants to the account ${accountOf(principal?.arn ?? '') ?? input.accountId ?? ACCOUNT_ID}, which delegates to the account: the user also needs an identity policy allowing ${action}`,
    ),
  ];
  if (notes.length > 0) reason += `; ${notes.join('; ')}`;
  return { allowed: false, reason, decidedBy: { policy: 'default' } };
}
