// ListBuckets.
import { S3Error } from '../errors.ts';
import { ownerXml } from '../owner.ts';
import type { RequestContext } from '../request-context.ts';
import { sendXml } from '../respond.ts';
import { block, isoDate, tag, xmlDocument } from '../xml.ts';

export async function listBuckets(ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const prefix = q.get('prefix') ?? '';
  const region = q.get('bucket-region');
  const maxRaw = q.get('max-buckets');
  const paged = maxRaw !== null || q.has('continuation-token');
  const max = maxRaw === null ? 10000 : Number(maxRaw);
  if (!Number.isInteger(max) || max < 1 || max > 10000) {
    throw new S3Error('InvalidArgument', 'Argument max-buckets must be an integer between 1 and 10000.', {
      ArgumentName: 'max-buckets',
      ArgumentValue: maxRaw ?? '',
    });
  }
  let after = '';
  const token = q.get('continuation-token');
  if (token) after = Buffer.from(token, 'base64').toString('utf8');
  const all = ctx.store
    .listBuckets()
    .filter((b) => b.name.startsWith(prefix) && (!region || b.region === region) && b.name > after);
  const page = all.slice(0, max);
  const next =
    all.length > max && paged ? Buffer.from(page[page.length - 1]!.name).toString('base64') : undefined;
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'ListAllMyBucketsResult',
      ownerXml(),
      block(
        'Buckets',
        page.map((b) =>
          block(
            'Bucket',
            tag('Name', b.name),
            tag('CreationDate', isoDate(b.created)),
            tag('BucketRegion', b.region),
          ),
        ),
      ),
      tag('ContinuationToken', next),
      q.has('prefix') ? tag('Prefix', prefix) : '',
    ),
  );
}
