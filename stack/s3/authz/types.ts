// The one hook through which the S3 server asks "may this principal do this?".
// The server knows the operation, its IAM action and resource (from the route table);
// the access-control engine (policies, Block Public Access) answers and explains.
import type { Identity } from '../identity.ts';

export interface AccessRequest {
  requestId: string;
  /** The S3 API operation, as AWS names it: `PutObject`, `ListObjectsV2`, ... */
  operation: string;
  /** The IAM action, e.g. `s3:GetObject`. */
  action: string;
  /** The resource ARN, e.g. `arn:aws:s3:::bucket/key`, `arn:aws:s3:::bucket`, or `*`. */
  resource: string;
  /** null is the anonymous principal. */
  principal: Identity | null;
  bucket?: string;
  key?: string;
  /**
   * Condition keys and their values for this request: `aws:SourceIp`, `aws:SecureTransport`,
   * `aws:CurrentTime`, `aws:username`, `aws:PrincipalArn`, `s3:prefix`, `s3:delimiter`,
   * `s3:max-keys`, `s3:x-amz-content-sha256`, `s3:x-amz-server-side-encryption`,
   * `s3:ExistingObjectTag/<k>`, `s3:RequestObjectTag/<k>`... Absent keys are simply missing.
   */
  context: Record<string, string | string[]>;
}

export interface AccessDecision {
  allowed: boolean;
  /** Human explanation: which policy and statement decided, or why nothing allowed it. */
  reason: string;
  /** Where the deciding statement lives, when one did. */
  decidedBy?: {
    policy: 'identity' | 'bucket' | 'block-public-access' | 'root' | 'default';
    name?: string;
    sid?: string;
    index?: number;
  };
}

export type Authorizer = (request: AccessRequest) => AccessDecision | Promise<AccessDecision>;
