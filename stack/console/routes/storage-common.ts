// What the storage routes share: the bucket path segment, the S3 side, and S3 errors in S3 terms.
import type { ConsoleContext } from '../context.ts';
import { ConsoleError, fromS3Error } from '../errors.ts';
import type { S3Access } from '../s3-access.ts';

/** The bucket's path segment in a route's pattern (URL-encoded, one segment). */
export const STORAGE_BUCKET = '([^/]+)';

export function s3Of(ctx: ConsoleContext): S3Access {
  if (!ctx.s3) throw new ConsoleError('NOT_CONFIGURED', 'The console was started without an S3 endpoint');
  return ctx.s3;
}

export const bucketOf = (params: string[]): string => decodeURIComponent(params[0]!);

export async function s3<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw fromS3Error(err);
  }
}

/** S3's own limit on a key; a version id is opaque but never longer. */
const MAX_ID_LENGTH = 1024;

/** `versionId`: present, not empty, of a sane length ('null' names the null version). */
export function versionIdParam(url: URL, required: true): string;
export function versionIdParam(url: URL, required: false): string | undefined;
export function versionIdParam(url: URL, required: boolean): string | undefined {
  const value = url.searchParams.get('versionId');
  if (value === null) {
    if (required) throw new ConsoleError('BAD_REQUEST', "Missing query parameter 'versionId'");
    return undefined;
  }
  if (value === '' || value.length > MAX_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new ConsoleError(
      'BAD_REQUEST',
      "'versionId' must be a version id of 1 to 1024 printable characters",
    );
  }
  return value;
}
