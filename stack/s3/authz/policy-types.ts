// The parsed, validated form of an IAM policy document (identity or bucket policy).
// Parsing normalizes once (lower-case action patterns, principals as ARNs, operators split
// into base / set / IfExists) so evaluation stays a cheap walk over plain data.

export type PolicyVersion = '2012-10-17' | '2008-10-17';
export type PolicyKind = 'identity' | 'bucket';
export type Effect = 'Allow' | 'Deny';

export type ConditionBase =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'NumericEquals'
  | 'NumericNotEquals'
  | 'NumericLessThan'
  | 'NumericLessThanEquals'
  | 'NumericGreaterThan'
  | 'NumericGreaterThanEquals'
  | 'DateEquals'
  | 'DateNotEquals'
  | 'DateLessThan'
  | 'DateLessThanEquals'
  | 'DateGreaterThan'
  | 'DateGreaterThanEquals'
  | 'Bool'
  | 'BinaryEquals'
  | 'IpAddress'
  | 'NotIpAddress'
  | 'ArnEquals'
  | 'ArnLike'
  | 'ArnNotEquals'
  | 'ArnNotLike'
  | 'Null';

export interface ConditionClause {
  /** The operator exactly as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  base: ConditionBase;
  set?: 'ForAnyValue' | 'ForAllValues';
  ifExists: boolean;
  /** The key as written (for explanations); matched without regard to case. */
  key: string;
  /** Values as strings (JSON numbers and booleans are stringified, as IAM does). */
  values: string[];
}

export interface PrincipalSpec {
  /** `"*"` or `{"AWS": "*"}`: everyone, anonymous included. */
  everyone: boolean;
  /** AWS principals as ARNs; a bare account id becomes `arn:aws:iam::<id>:root`. */
  aws: string[];
  services: string[];
  canonicalUsers: string[];
  federated: string[];
}

export interface Statement {
  /** 0-based position in the document. */
  index: number;
  sid?: string;
  effect: Effect;
  /** Bucket policies only. */
  principal?: PrincipalSpec;
  notPrincipal: boolean;
  /** Lower-case action patterns (`s3:get*`, `*`). */
  actions: string[];
  notAction: boolean;
  resources: string[];
  notResource: boolean;
  conditions: ConditionClause[];
}

export interface ParsedPolicy {
  kind: PolicyKind;
  version: PolicyVersion;
  id?: string;
  statements: Statement[];
  /** The document as given (GetBucketPolicy answers the bytes that were put). */
  text: string;
}

/** An identity policy attached to a user, by the name IAM would show. */
export interface NamedPolicy {
  name: string;
  policy: ParsedPolicy;
}

/** The four Block Public Access settings; a missing configuration blocks nothing. */
export interface PublicAccessBlockFlags {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}
