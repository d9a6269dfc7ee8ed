// The S3 server's Authorizer: looks up the policies that apply to a request, evaluates them,
// and records the decision with its explanation.
import { ACCOUNT_ID, type Identity } from '../identity.ts';
import { type DecisionFilter, DecisionLog, type DecisionRecord } from './decision-log.ts';
import { evaluateAccess } from './evaluate.ts';
import { isoMillis } from './iso-time.ts';
import type { NamedPolicy, ParsedPolicy, PublicAccessBlockFlags } from './policy-types.ts';
import type { AccessDecision, AccessRequest, Authorizer } from './types.ts';
import { type ContextValues, normalizeKey } from './wildcard.ts';

export interface AuthorizerDeps {
  /** The identity policies attached to a user (never called for the anonymous principal). */
  identityPolicies(identity: Identity): readonly NamedPolicy[];
  /** The bucket's current policy, if any. */
  bucketPolicy(bucket: string): ParsedPolicy | undefined;
  /** The bucket's Block Public Access flags; undefined when it has no configuration. */
  publicAccessBlock(bucket: string): PublicAccessBlockFlags | undefined;
  /** Called after every decision, e.g. to stream it to the console. */
  onDecision?(record: DecisionRecord): void;
  /** Clock for `aws:CurrentTime` / `aws:EpochTime` and record times. @default () => new Date() */
  now?: () => Date;
  /** Decisions kept in the log. @default 1000 */
  logSize?: number;
  /** @default ACCOUNT_ID */
  accountId?: string;
}

export interface PolicyAuthorizer extends Authorizer {
  (request: AccessRequest): AccessDecision;
  /** Recorded decisions, oldest first. */
  decisions(filter?: DecisionFilter): DecisionRecord[];
  clearDecisions(): void;
}

/** The request's condition keys by normalized name, with the keys IAM derives itself. */
export function requestContext(request: AccessRequest, now: Date, accountId: string): ContextValues {
  const ctx = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(request.context)) {
    ctx.set(normalizeKey(key), Array.isArray(value) ? value : [value as string]);
  }
  if (!ctx.has('aws:currenttime')) ctx.set('aws:currenttime', [now.toISOString().replace(/\.\d{3}Z$/, 'Z')]);
  if (!ctx.has('aws:epochtime')) ctx.set('aws:epochtime', [String(Math.floor(now.getTime() / 1000))]);
  // Who the caller is comes from authentication, never from the request's own context.
  for (const key of ['aws:username', 'aws:principalarn', 'aws:principalaccount', 'aws:principaltype']) {
    ctx.delete(key);
  }
  const p = request.principal;
  if (!p) {
    ctx.set('aws:principaltype', ['Anonymous']);
  } else {
    ctx.set('aws:principalarn', [p.arn]);
    ctx.set('aws:principalaccount', [/^arn:aws:iam::(\d{12}):/.exec(p.arn)?.[1] ?? accountId]);
    ctx.set('aws:principaltype', [p.root ? 'Account' : 'User']);
    if (!p.root) ctx.set('aws:username', [p.name]);
  }
  return ctx;
}

const NO_CONTEXT: ContextValues = new Map();

/**
 * Whether this authorizer reads a request's condition keys for `principal`: the root user is
 * allowed before any condition is read, so a caller may leave its context empty.
 */
export function readsContext(principal: Identity | null): boolean {
  return principal?.root !== true;
}

/** Creates the authorizer the S3 server calls for every request. */
export function createAuthorizer(deps: AuthorizerDeps): PolicyAuthorizer {
  const log = new DecisionLog(deps.logSize ?? 1000);
  const now = deps.now ?? (() => new Date());
  const accountId = deps.accountId ?? ACCOUNT_ID;

  const authorize = (request: AccessRequest): AccessDecision => {
    const time = now();
    const bucket = request.bucket;
    const decision = evaluateAccess({
      action: request.action,
      resource: request.resource,
      principal: request.principal,
      // The root user is allowed before any condition is read: its context is never built.
      context: readsContext(request.principal) ? requestContext(request, time, accountId) : NO_CONTEXT,
      identityPolicies:
        request.principal && !request.principal.root ? deps.identityPolicies(request.principal) : [],
      bucketPolicy: bucket === undefined ? undefined : deps.bucketPolicy(bucket),
      publicAccessBlock: bucket === undefined ? undefined : deps.publicAccessBlock(bucket),
      bucket,
      accountId,
    });
    const record: DecisionRecord = {
      requestId: request.requestId,
      time: isoMillis(time.getTime()),
      principal: request.principal?.arn ?? 'anonymous',
      operation: request.operation,
      action: request.action,
      resource: request.resource,
      bucket,
      key: request.key,
      allowed: decision.allowed,
      reason: decision.reason,
      decidedBy: decision.decidedBy ?? { policy: 'default' },
    };
    log.add(record);
    deps.onDecision?.(record);
    return decision;
  };

  return Object.assign(authorize, {
    decisions: (filter?: DecisionFilter) => log.list(filter),
    clearDecisions: () => log.clear(),
  });
}
