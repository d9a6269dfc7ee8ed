// DeleteObject and DeleteObjects (quiet / verbose, s3:DeleteObject authorized per key).
import { readSmallBody } from '../body.ts';
import { S3Error } from '../errors.ts';
import { header, objectArn, type RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { block, children, parseXmlBody, tag, text, xmlDocument } from '../xml.ts';
import { existingTagConditions } from './tag-conditions.ts';

export async function deleteObject(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!).name;
  const version = ctx.query.get('versionId');
  if (version !== null && version !== 'null') {
    throw new S3Error('InvalidArgument', 'Invalid version id specified', {
      ArgumentName: 'versionId',
      ArgumentValue: version,
    });
  }
  await ctx.store.deleteObject(bucket, ctx.key!);
  sendEmpty(ctx.res, 204);
}

function hasIntegrityHeader(ctx: RequestContext): boolean {
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
    if (version !== undefined && version !== 'null') {
      error('NoSuchVersion', 'The specified version does not exist.');
      continue;
    }
    const decision = await ctx.authorize(
      's3:DeleteObject',
      objectArn(bucket, key),
      existingTagConditions(ctx.store.head(bucket, key)),
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
    await ctx.store.deleteObject(bucket, key);
    if (!quiet)
      out.push(block('Deleted', tag('Key', key), version !== undefined ? tag('VersionId', version) : ''));
  }
  sendXml(ctx.res, 200, xmlDocument('DeleteResult', out));
}
