// Version ids (and lifecycle expiry, which depends on them) on the wire: the `versionId` query parameter (and the one inside
// x-amz-copy-source), the IAM action a versioned request needs, and x-amz-version-id.
import { S3Error } from './errors.ts';
import { expirationHeader } from './lifecycle/plan.ts';
import type { RequestContext } from './request-context.ts';
import type { ObjectRecord } from './storage/types.ts';

/**
 * Ours are 32 URL-safe characters. AWS's are opaque strings of 32 or more characters from a
 * base64-like alphabet (MinIO's are UUIDs); anything else, like `abc`, AWS refuses as
 * malformed before looking it up.
 */
const VERSION_ID = /^[A-Za-z0-9._+/=-]{32,128}$/;

/** A version id as AWS checks it before looking it up: empty or malformed is a 400. */
export function checkVersionId(value: string, argumentName = 'versionId'): string {
  if (value === '') {
    throw new S3Error('InvalidArgument', 'Version id cannot be the empty string', {
      ArgumentName: argumentName,
      ArgumentValue: value,
    });
  }
  if (value !== 'null' && !VERSION_ID.test(value)) {
    throw new S3Error('InvalidArgument', 'Invalid version id specified', {
      ArgumentName: argumentName,
      ArgumentValue: value,
    });
  }
  return value;
}

/** The request's `versionId`, validated, or undefined. */
export function requestedVersion(ctx: RequestContext): string | undefined {
  const v = ctx.query.get('versionId');
  return v === null ? undefined : checkVersionId(v);
}

/** IAM action for an object operation: AWS authorizes the `*Version*` action when a version is named. */
export function versionedAction(plain: string, versioned: string): (ctx: RequestContext) => string {
  return (ctx) => (ctx.query.has('versionId') ? versioned : plain);
}

/** The id as S3 shows it: `null` for the version written without versioning. */
export function shownVersionId(rec: ObjectRecord): string {
  return rec.versionId ?? 'null';
}

/**
 * x-amz-version-id for a response about `rec`: present once the bucket has had versioning
 * (or the client named a version), absent on buckets that never had it, as on AWS.
 */
export function versionHeaders(
  ctx: RequestContext,
  bucket: string,
  rec: ObjectRecord,
  named = false,
): Record<string, string> {
  const versioned = ctx.store.bucket(bucket)?.configs.versioning !== undefined;
  return versioned || named || rec.versionId !== undefined ? { 'x-amz-version-id': shownVersionId(rec) } : {};
}

/** x-amz-version-id on a write's response: the new version's id, omitted for a `null` version. */
export function writtenVersionHeaders(rec: ObjectRecord): Record<string, string> {
  return rec.versionId !== undefined ? { 'x-amz-version-id': rec.versionId } : {};
}

/** x-amz-expiration for the current object when an enabled lifecycle Expiration rule covers it. */
export function expirationHeaders(
  ctx: RequestContext,
  bucket: string,
  rec: ObjectRecord,
): Record<string, string> {
  const rules = ctx.store.bucket(bucket)?.configs.lifecycle;
  const value = rules ? expirationHeader(rules, rec) : undefined;
  return value ? { 'x-amz-expiration': value } : {};
}
