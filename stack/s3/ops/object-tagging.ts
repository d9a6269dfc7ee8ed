// Get/Put/DeleteObjectTagging, on the current object or on a named version.
import { readSmallBody } from '../body.ts';
import type { RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { parseTaggingXml, taggingXml } from '../tags.ts';
import { requestedVersion, versionHeaders } from '../versioning.ts';
import { parseXmlBody, xmlDocument } from '../xml.ts';
import { requireObject } from './get-object.ts';

export async function getObjectTagging(ctx: RequestContext): Promise<void> {
  const version = requestedVersion(ctx);
  const rec = await requireObject(ctx, ctx.bucket!, ctx.key!, version);
  sendXml(
    ctx.res,
    200,
    xmlDocument('Tagging', taggingXml(rec.tags)),
    versionHeaders(ctx, ctx.bucket!, rec, version !== undefined),
  );
}

export async function putObjectTagging(ctx: RequestContext): Promise<void> {
  const version = requestedVersion(ctx);
  await requireObject(ctx, ctx.bucket!, ctx.key!, version);
  const { data } = await readSmallBody(ctx);
  const tags = parseTaggingXml(parseXmlBody(data, 'Tagging'));
  const rec = await ctx.store.updateObject(
    ctx.bucket!,
    ctx.key!,
    (r) => ({ ...r, tags }),
    // Unnamed: whatever is current when the update runs (a PUT may land during the body).
    version,
  );
  sendEmpty(ctx.res, 200, versionHeaders(ctx, ctx.bucket!, rec, version !== undefined));
}

export async function deleteObjectTagging(ctx: RequestContext): Promise<void> {
  const version = requestedVersion(ctx);
  await requireObject(ctx, ctx.bucket!, ctx.key!, version);
  const rec = await ctx.store.updateObject(
    ctx.bucket!,
    ctx.key!,
    (r) => ({ ...r, tags: [] }),
    // Unnamed: whatever is current when the update runs (a PUT may land during the body).
    version,
  );
  sendEmpty(ctx.res, 204, versionHeaders(ctx, ctx.bucket!, rec, version !== undefined));
}
