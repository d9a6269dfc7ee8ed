// DeleteObject and DeleteObjects (quiet / verbose, s3:DeleteObject authorized per key).
import { readSmallBody } from '../body.ts';
import { S3Error } from '../errors.ts';
import { header, objectArn, type RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import type { DeleteOutcome } from '../storage/store.ts';
import { checkVersionId, requestedVersion } from '../versioning.ts';
import { block, children, parseXmlBody, tag, text, xmlDocument } from '../xml.ts';
import { existingTagConditions } from './tag-conditions.ts';

/**
 * DeleteObject: without a version id, what the bucket's versioning state says (a delete
 * marker once versioning is on); with one, that version is removed for good. Deleting
 * something absent is a success, as on AWS.
 */
export async function deleteObject(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!).name;
  const version = requestedVersion(ctx);
  const outcome =
    version === undefined
      ? await ctx.store.deleteObject(bucket, ctx.key!)
      : await ctx.store.deleteVersion(bucket, ctx.key!, version);
  sendEmpty(ctx.res, 204, outcomeHeaders(outcome, version));
}

function outcomeHeaders(outcome: DeleteOutcome, named: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (outcome.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  const id = named ?? (outcome.deleteMarker ? outcome.versionId : undefined);
  if (id !== undefined) headers['x-amz-version-id'] = id;
  return headers;
}

/** Content-MD5 or a checksum: what S3 requires on DeleteObjects and PutBucketLifecycleConfiguration. */
export function hasIntegrityHeader(ctx: RequestContext): boolean {
  if (header(ctx, 'content-md5') !== undefined) return true;
  if (header(ctx, 'x-amz-sdk-checksum-algorithm') !== undefined || header(ctx, 'x-amz-trailer') !== undefined)
    return true;
  return Object.keys(ctx.req.headers).some(
    (h) => h.startsWith('x-amz-checksum-') && h !== 'x-amz-checksum-mode',
  );
}

export async function deleteObjects(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!).name;
  if (!hasIntegrityHeader(ctx)) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
  }
  const { data } = await readSmallBody(ctx, 2 * 1024 * 1024);
  const root = parseXmlBody(data, 'Delete');
  const objects = children(root, 'Object');
  if (objects.length === 0 || objects.length > 1000) throw new S3Error('MalformedXML');
  const quiet = text(root, 'Quiet')?.trim().toLowerCase() === 'true';
  const out: string[] = [];
  for (const o of objects) {
    const key = text(o, 'Key');
    if (key === undefined) throw new S3Error('MalformedXML');
    const version = text(o, 'VersionId');
    const action = version === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion';
    const error = (code: string, message: string) =>
      out.push(
        block(
          'Error',
          tag('Key', key),
          version !== undefined ? tag('VersionId', version) : '',
          tag('Code', code),
          tag('Message', message),
        ),
      );
    if (version !== undefined) {
      try {
        checkVersionId(version);
      } catch (err) {
        error('InvalidArgument', (err as Error).message);
        continue;
      }
    }
    const decision = await ctx.authorize(
      action,
      objectArn(bucket, key),
      existingTagConditions(
        version === undefined ? ctx.store.head(bucket, key) : ctx.store.version(bucket, key, version),
      ),
      true,
    );
    if (!decision.allowed) {
      error('AccessDenied', 'Access Denied');
      continue;
    }
    if (Buffer.byteLength(key) > 1024) {
      error('KeyTooLongError', 'Your key is too long');
      continue;
    }
    const outcome =
      version === undefined
        ? await ctx.store.deleteObject(bucket, key)
        : await ctx.store.deleteVersion(bucket, key, version);
    if (!quiet)
      out.push(
        block(
          'Deleted',
          tag('Key', key),
          version !== undefined ? tag('VersionId', version) : '',
          outcome.deleteMarker ? tag('DeleteMarker', true) : '',
          // The marker created, or the marker deleted by its version id (as AWS documents it).
          outcome.deleteMarker ? tag('DeleteMarkerVersionId', version ?? outcome.versionId) : '',
        ),
      );
  }
  sendXml(ctx.res, 200, xmlDocument('DeleteResult', out));
}
