// GetObjectAttributes: ETag (unquoted, as AWS shows it here), checksum, parts, storage class, size.
import { ensureChecksum } from '../default-checksum.ts';
import { S3Error } from '../errors.ts';
import { httpDate } from '../object-headers.ts';
import { header, objectArn, type RequestContext } from '../request-context.ts';
import { sendXml } from '../respond.ts';
import { requestedVersion, versionHeaders } from '../versioning.ts';
import { block, tag, xmlDocument } from '../xml.ts';
import { requireObject } from './get-object.ts';
import { existingTagConditions } from './tag-conditions.ts';

const ATTRIBUTES = new Set(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);

export async function getObjectAttributes(ctx: RequestContext): Promise<void> {
  const wanted = (header(ctx, 'x-amz-object-attributes') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted.length) {
    throw new S3Error('InvalidArgument', 'Missing required header for this request: x-amz-object-attributes');
  }
  for (const w of wanted) {
    if (!ATTRIBUTES.has(w))
      throw new S3Error('InvalidArgument', 'Invalid attribute name specified.', {
        ArgumentName: 'x-amz-object-attributes',
        ArgumentValue: w,
      });
  }
  const version = requestedVersion(ctx);
  // AWS needs the read action too, not only the attributes one the route authorized.
  await ctx.authorize(
    version === undefined ? 's3:GetObject' : 's3:GetObjectVersion',
    objectArn(ctx.bucket!, ctx.key!),
    existingTagConditions(
      version === undefined
        ? ctx.store.head(ctx.bucket!, ctx.key!)
        : ctx.store.version(ctx.bucket!, ctx.key!, version),
    ),
  );
  let rec = await requireObject(ctx, ctx.bucket!, ctx.key!, version);
  if (wanted.includes('Checksum')) rec = await ensureChecksum(ctx.store, ctx.bucket!, rec);
  const has = (a: string) => wanted.includes(a);
  const maxParts = Math.min(Number(header(ctx, 'x-amz-max-parts') ?? 1000) || 1000, 1000);
  const marker = Number(header(ctx, 'x-amz-part-number-marker') ?? 0) || 0;
  const parts = (rec.parts ?? []).filter((p) => p.partNumber > marker);
  const page = parts.slice(0, maxParts);
  const c = rec.checksum;
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'GetObjectAttributesResponse',
      has('ETag') ? tag('ETag', rec.etag) : '',
      has('Checksum') && c
        ? block('Checksum', tag(`Checksum${c.algorithm}`, c.value), tag('ChecksumType', c.type))
        : '',
      has('ObjectParts') && rec.parts
        ? block(
            'ObjectParts',
            tag('PartsCount', rec.parts.length),
            tag('PartNumberMarker', marker),
            tag('NextPartNumberMarker', page.length ? page[page.length - 1]!.partNumber : 0),
            tag('MaxParts', maxParts),
            tag('IsTruncated', parts.length > page.length),
            page.map((p) =>
              block(
                'Part',
                tag('PartNumber', p.partNumber),
                tag('Size', p.size),
                c && p.checksum ? tag(`Checksum${c.algorithm}`, p.checksum) : '',
              ),
            ),
          )
        : '',
      has('StorageClass') ? tag('StorageClass', rec.storageClass) : '',
      has('ObjectSize') ? tag('ObjectSize', rec.size) : '',
    ),
    {
      'Last-Modified': httpDate(rec.lastModified),
      ...versionHeaders(ctx, ctx.bucket!, rec, version !== undefined),
    },
  );
}
