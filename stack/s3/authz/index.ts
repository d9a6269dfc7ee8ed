// The access-control engine's public surface, for the S3 server and the stack harness.
export {
  type AuthorizerDeps,
  createAuthorizer,
  type PolicyAuthorizer,
  requestContext,
} from './authorizer.ts';
export {
  type ActualCorsRequest,
  type CorsMatch,
  type CorsRule,
  corsFromJson,
  corsResponseHeaders,
  corsToXml,
  evaluatePreflight,
  matchPreflight,
  type PreflightOutcome,
  parseCorsXml,
  validateCorsRules,
} from './cors.ts';
export type { DecisionFilter, DecisionRecord } from './decision-log.ts';
export { type EvaluationInput, evaluateAccess } from './evaluate.ts';
export { type BucketPolicyLookup, createBucketPolicyCache } from './policy-cache.ts';
export { MAX_BUCKET_POLICY_BYTES, parseBucketPolicy, parseIdentityPolicy } from './policy-parse.ts';
export type { NamedPolicy, ParsedPolicy, PublicAccessBlockFlags, Statement } from './policy-types.ts';
export {
  assertAclAllowed,
  defaultPublicAccessBlock,
  effectiveFlags,
  isPublicAcl,
  parsePublicAccessBlockXml,
  publicAccessBlockToXml,
} from './public-access-block.ts';
export { getPolicyStatus, isPublicPolicy, isPublicStatement, policyStatusToXml } from './public-policy.ts';
export { validatePolicyForPut } from './put-bucket-policy.ts';
export type { AccessDecision, AccessRequest, Authorizer } from './types.ts';
