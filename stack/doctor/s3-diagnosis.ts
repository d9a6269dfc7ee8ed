// From a StorageError (the app's own mapping of the S3 answer) to the guide's troubleshooting
// entry, with the cause the S3 error code pins down.
import type { S3Settings } from '../../src/config/index.ts';
import type { StorageError } from '../../src/storage/index.ts';
import type { Failure } from './check.ts';
import { endpointHost, isLocalHost, looksLikeAwsAccessKey } from './providers.ts';

/** The guide's IAM user policy, as one line. */
const GUIDE_POLICY =
  's3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket on arn:aws:s3:::<bucket> and arn:aws:s3:::<bucket>/*';

export function isLocalEndpoint(s3: S3Settings): boolean {
  return s3.endpoint !== undefined && isLocalHost(endpointHost(s3.endpoint));
}

function where(s3: S3Settings): string {
  return s3.endpoint ?? `AWS (${s3.region})`;
}

/**
 * `action` is the IAM action of the request that failed (`s3:PutObject`), `operation` the S3
 * operation when its name differs (`HeadBucket` for s3:ListBucket).
 */
export function diagnoseStorageError(
  s3: S3Settings,
  error: StorageError,
  action: string,
  operation: string = action.replace('s3:', ''),
): Failure {
  // A socket failure has no S3 code: its errno (ECONNREFUSED, ETIMEDOUT) is the real one.
  const errno = error.code === 'CONNECTION_FAILED' ? /\b(E[A-Z]{4,})\b/.exec(error.detail)?.[1] : undefined;
  const code = errno ?? (error.s3Code || (error.httpStatus ? String(error.httpStatus) : undefined));
  const base = { detail: `${operation} failed: ${error.detail}`, code, appCode: error.code };
  switch (error.code) {
    case 'ACCESS_DENIED': {
      if (error.s3Code === 'SignatureDoesNotMatch') {
        return {
          ...base,
          cause: `AWS_SECRET_ACCESS_KEY is not the secret of AWS_ACCESS_KEY_ID=${s3.accessKeyId}: S3 computed another signature (SignatureDoesNotMatch)`,
          fix: 'copy the secret access key again (no quotes, spaces or line breaks around it)',
          section: 's3-access-denied',
        };
      }
      if (error.s3Code === 'InvalidAccessKeyId') {
        const hint =
          !s3.endpoint && !looksLikeAwsAccessKey(s3.accessKeyId)
            ? ': it is not shaped like an AWS key (a dev-stack key sent to AWS? set AWS_ENDPOINT_URL_S3)'
            : ': a typo, or a deleted or deactivated key';
        return {
          ...base,
          cause: `${where(s3)} does not know AWS_ACCESS_KEY_ID=${s3.accessKeyId} (InvalidAccessKeyId)${hint}`,
          fix: 'check AWS_ACCESS_KEY_ID (IAM → Users → focusmate-s3-user → Security credentials)',
          section: 's3-access-denied',
        };
      }
      return {
        ...base,
        cause: `the key is valid, but its policy does not allow ${action} on the bucket (${error.s3Code || 'AccessDenied'})`,
        fix: isLocalEndpoint(s3)
          ? `the dev stack binds the .env.local keys to stack/policies/app-user-policy.json: it must allow ${GUIDE_POLICY}`
          : `attach the guide's policy to the IAM user: ${GUIDE_POLICY}`,
        section: 's3-access-denied',
      };
    }
    case 'BUCKET_NOT_FOUND':
      return {
        ...base,
        cause: `there is no bucket named AWS_S3_BUCKET=${s3.bucket} at ${where(s3)} (NoSuchBucket)`,
        fix: isLocalEndpoint(s3)
          ? 'the dev stack creates the bucket .env.local names: restart it after changing AWS_S3_BUCKET'
          : 'check the bucket name for typos',
        section: 's3-bucket-not-found',
      };
    case 'REGION_MISMATCH':
      return {
        ...base,
        cause: `the bucket is not in AWS_S3_REGION=${s3.region} (${error.s3Code || error.httpStatus})`,
        fix: 'set AWS_S3_REGION to the region the bucket was created in',
        section: 's3-bucket-not-found',
      };
    case 'CONNECTION_FAILED': {
      const refused = /ECONNREFUSED/.test(error.detail);
      const devStack = isLocalEndpoint(s3) ? ' (for the dev stack: is `npm run dev:stack` running?)' : '';
      return {
        ...base,
        cause: refused
          ? `nothing accepts connections at ${where(s3)}${devStack}`
          : `no answer from ${where(s3)} in time: the network, a firewall, or the service is down${devStack}`,
        fix: s3.endpoint ? 'check AWS_ENDPOINT_URL_S3' : undefined,
        section: 's3-connection-timeout',
      };
    }
    default:
      return { ...base, cause: error.message.split('. Remedy:')[0]!, fix: error.remedy };
  }
}
