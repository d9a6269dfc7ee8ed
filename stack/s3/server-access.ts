// The server's access control: the identity registry authentication reads, and the authorizer
// every request asks — by default the policy engine over the registry's identity policies and
// each bucket's stored policy and Block Public Access flags; or a caller's own hook (tests),
// whose decisions are recorded the same way.
import { createAuthorizer, readsContext } from './authz/authorizer.ts';
import { type DecisionFilter, DecisionLog, type DecisionRecord } from './authz/decision-log.ts';
import { createBucketPolicyCache } from './authz/policy-cache.ts';
import type { ParsedPolicy } from './authz/policy-types.ts';
import type { AccessDecision, AccessRequest, Authorizer } from './authz/types.ts';
import type { Identity } from './identity.ts';
import { IdentityRegistry, type IdentitySeed } from './identity-registry.ts';
import type { Store } from './storage/store.ts';

export interface ServerAccess {
  identities: IdentityRegistry;
  authorize(request: AccessRequest): Promise<AccessDecision>;
  /**
   * authorize without a promise when the decision needs no I/O (the policy engine's never
   * does): the same decision, recorded the same way; throws what authorize would reject with.
   */
  decide(request: AccessRequest): AccessDecision | Promise<AccessDecision>;
  /** Whether decisions about `principal` read the request's condition keys (`context`). */
  readsContext(principal: Identity | null): boolean;
  /** The bucket's stored policy, parsed (memoized on its text). */
  bucketPolicy(bucket: string): ParsedPolicy | undefined;
  decisions(filter?: DecisionFilter): DecisionRecord[];
  clearDecisions(): void;
}

export interface ServerAccessOptions {
  store: Store;
  identities: readonly IdentitySeed[];
  /** Replaces the policy engine. */
  override?: Authorizer;
  now: () => number;
  onDecision?: (record: DecisionRecord) => void;
}

function record(request: AccessRequest, decision: AccessDecision, time: number): DecisionRecord {
  return {
    requestId: request.requestId,
    time: new Date(time).toISOString(),
    principal: request.principal?.arn ?? 'anonymous',
    operation: request.operation,
    action: request.action,
    resource: request.resource,
    bucket: request.bucket,
    key: request.key,
    allowed: decision.allowed,
    reason: decision.reason,
    decidedBy: decision.decidedBy ?? { policy: 'default' },
  };
}

export function createServerAccess(o: ServerAccessOptions): ServerAccess {
  const identities = new IdentityRegistry(o.identities);
  const policyCache = createBucketPolicyCache();
  const bucketPolicy = (bucket: string): ParsedPolicy | undefined => {
    const text = o.store.bucket(bucket)?.configs.policy;
    try {
      return policyCache(bucket, text);
    } catch (err) {
      // Only a policy stored by an older server version can fail here; say which one.
      throw new Error(`the stored policy of bucket ${bucket} no longer parses: ${(err as Error).message}`);
    }
  };

  if (o.override) {
    const override = o.override;
    const log = new DecisionLog();
    const authorize = async (request: AccessRequest) => {
      const decision = await override(request);
      const rec = record(request, decision, o.now());
      log.add(rec);
      o.onDecision?.(rec);
      return decision;
    };
    return {
      identities,
      bucketPolicy,
      authorize,
      decide: authorize,
      // A caller's hook sees every request's full context.
      readsContext: () => true,
      decisions: (filter) => log.list(filter),
      clearDecisions: () => log.clear(),
    };
  }

  const engine = createAuthorizer({
    identityPolicies: (identity) => identities.policiesOf(identity),
    bucketPolicy,
    publicAccessBlock: (bucket) => o.store.bucket(bucket)?.configs.publicAccessBlock,
    onDecision: o.onDecision,
    now: () => new Date(o.now()),
  });
  return {
    identities,
    bucketPolicy,
    authorize: async (request) => engine(request),
    decide: engine,
    readsContext,
    decisions: (filter) => engine.decisions(filter),
    clearDecisions: () => engine.clearDecisions(),
  };
}
