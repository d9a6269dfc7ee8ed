import { StorageError } from './storage-error.ts';

interface SdkError extends Error {
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const ACCESS_NAMES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AllAccessDisabled',
  'AccountProblem',
  'InvalidToken',
  'ExpiredToken',
  'Forbidden',
]);
const REGION_NAMES = new Set([
  'AuthorizationHeaderMalformed',
  'PermanentRedirect',
  'IllegalLocationConstraintException',
  'MovedPermanently',
]);

function networkCode(error: SdkError): string | undefined {
  const direct = error.code;
  if (direct && NETWORK_CODES.has(direct)) return direct;
  const cause = (error as { cause?: SdkError }).cause;
  if (cause?.code && NETWORK_CODES.has(cause.code)) return cause.code;
  if (error.name === 'TimeoutError' || error.name === 'RequestTimeout') return 'ETIMEDOUT';
  if (
    /AggregateError/.test(error.name) &&
    /ECONNREFUSED/.test(String((error as { errors?: unknown }).errors))
  ) {
    return 'ECONNREFUSED';
  }
  return undefined;
}

/** Maps an AWS SDK (or socket) error to a StorageError with a stable code; the first match wins. */
export function mapS3Error(
  raw: unknown,
  context: {
    bucket: string;
    key?: string;
    region: string;
    /** The version the request named: a 400 InvalidArgument is then about its id. */
    versionId?: string;
    /** The IAM action(s) the request needs, named in an ACCESS_DENIED detail. */
    action?: string;
  },
): StorageError {
  if (raw instanceof StorageError) return raw;
  const error = (raw instanceof Error ? raw : new Error(String(raw))) as SdkError;
  const name = error.name ?? error.Code ?? '';
  const status = error.$metadata?.httpStatusCode ?? error.$response?.statusCode;
  const details = { key: context.key, httpStatus: status, s3Code: name, cause: error };
  const where = context.key ? `s3://${context.bucket}/${context.key}` : `s3://${context.bucket}`;

  if (name === 'NoSuchBucket')
    return new StorageError('BUCKET_NOT_FOUND', `${where}: ${error.message}`, details);
  if (name === 'NoSuchVersion') {
    return new StorageError(
      'NOT_FOUND',
      `${JSON.stringify(context.key ?? '')} has no version ${JSON.stringify(context.versionId ?? '')}`,
      details,
    );
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && context.key)) {
    return new StorageError('NOT_FOUND', JSON.stringify(context.key ?? ''), details);
  }
  // Only the version id's own refusal ("Invalid version id specified"): a restore's copy may
  // also be refused for its encryption headers, which is not the id's fault.
  if (name === 'InvalidArgument' && context.versionId !== undefined && /version/i.test(error.message)) {
    return new StorageError(
      'INVALID_VERSION_ID',
      `${where}: ${JSON.stringify(context.versionId)} ${error.message}`,
      details,
    );
  }
  if (REGION_NAMES.has(name) || status === 301) {
    return new StorageError(
      'REGION_MISMATCH',
      `${where} did not answer in AWS_S3_REGION=${context.region} (${name || status})`,
      details,
    );
  }
  if (ACCESS_NAMES.has(name) || status === 403) {
    const needs = context.action ? ` (this request needs ${context.action})` : '';
    return new StorageError('ACCESS_DENIED', `${where}: ${name || status} ${error.message}${needs}`, details);
  }
  if (name === 'EntityTooLarge') return new StorageError('TOO_LARGE', `${where}: ${error.message}`, details);
  if (name === 'KeyTooLongError')
    return new StorageError('INVALID_KEY', `${where}: ${error.message}`, details);
  const network = networkCode(error);
  if (network) return new StorageError('CONNECTION_FAILED', `${where}: ${network} ${error.message}`, details);
  return new StorageError('UNKNOWN', `${where}: ${name || 'error'} ${error.message}`, details);
}
