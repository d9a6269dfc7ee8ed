// x-amz-copy-source: `[/]bucket/key[?versionId=...]`, URL-encoded.
import { S3Error } from './errors.ts';
import { requireObject } from './ops/get-object.ts';
import { existingTagConditions } from './ops/tag-conditions.ts';
import { header, objectArn, type RequestContext } from './request-context.ts';
import type { ObjectRecord } from './storage/types.ts';
import { checkVersionId } from './versioning.ts';

export function parseCopySource(ctx: RequestContext): { bucket: string; key: string; versionId?: string } {
  const raw = header(ctx, 'x-amz-copy-source') ?? '';
  const invalid = () =>
    new S3Error(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      {
        ArgumentName: 'x-amz-copy-source',
        ArgumentValue: raw,
      },
    );
  let path = raw;
  let versionId: string | undefined;
  const q = raw.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(raw.slice(q + 1));
    path = raw.slice(0, q);
    const version = params.get('versionId');
    if (version !== null) versionId = checkVersionId(version);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw invalid();
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalid();
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

export type CopySource = ReturnType<typeof parseCopySource>;

/** s3:GetObject on the source, or s3:GetObjectVersion when the source names a version. */
export async function authorizeCopySource(ctx: RequestContext, src: CopySource): Promise<void> {
  const known = ctx.store.bucket(src.bucket) !== undefined;
  const rec = !known
    ? undefined
    : src.versionId === undefined
      ? ctx.store.head(src.bucket, src.key)
      : ctx.store.version(src.bucket, src.key, src.versionId);
  await ctx.authorize(
    src.versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion',
    objectArn(src.bucket, src.key),
    existingTagConditions(rec),
  );
}

/** The source record; naming a delete marker is a 400 here (a 405 on GetObject). */
export async function requireCopySource(ctx: RequestContext, src: CopySource): Promise<ObjectRecord> {
  if (src.versionId !== undefined && ctx.store.version(src.bucket, src.key, src.versionId)?.deleteMarker) {
    throw new S3Error(
      'InvalidRequest',
      'The source of a copy request may not specifically refer to a delete marker by version id.',
    );
  }
  return requireObject(ctx, src.bucket, src.key, src.versionId);
}

/** x-amz-copy-source-version-id: the source version copied, once versioning is in play. */
export function copySourceVersionHeaders(
  ctx: RequestContext,
  src: CopySource,
  rec: ObjectRecord,
): Record<string, string> {
  const versioned =
    src.versionId !== undefined ||
    rec.versionId !== undefined ||
    ctx.store.bucket(src.bucket)?.configs.versioning !== undefined;
  return versioned ? { 'x-amz-copy-source-version-id': rec.versionId ?? 'null' } : {};
}
