// Put/GetBucketVersioning. A bucket starts unversioned and, once versioning has been
// enabled, can only be Enabled or Suspended again, never unversioned (as on AWS).
import { readSmallBody } from '../body.ts';
import { S3Error } from '../errors.ts';
import { header, type RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { parseXmlBody, tag, text, xmlDocument } from '../xml.ts';

export async function putBucketVersioning(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  const { data } = await readSmallBody(ctx, 64 * 1024);
  const root = parseXmlBody(data, 'VersioningConfiguration');
  const status = text(root, 'Status')?.trim();
  const mfaDelete = text(root, 'MfaDelete')?.trim();
  if (status !== undefined && status !== 'Enabled' && status !== 'Suspended')
    throw new S3Error('MalformedXML');
  if (mfaDelete !== undefined && mfaDelete !== 'Enabled' && mfaDelete !== 'Disabled')
    throw new S3Error('MalformedXML');
  // MFA delete needs the root user's MFA device in x-amz-mfa; there is none to check here.
  if (mfaDelete === 'Enabled' || header(ctx, 'x-amz-mfa') !== undefined) {
    throw new S3Error('AccessDenied', 'Mfa Authentication must be used for this request');
  }
  if (status === undefined) {
    throw new S3Error('IllegalVersioningConfigurationException', 'The Versioning element must be specified');
  }
  await ctx.store.updateBucketConfigs(bucket.name, (c) => ({ ...c, versioning: status }));
  sendEmpty(ctx.res, 200);
}

/** Never enabled: an empty configuration, as AWS shows it. */
export async function getBucketVersioning(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!);
  sendXml(ctx.res, 200, xmlDocument('VersioningConfiguration', tag('Status', bucket.configs.versioning)));
}
