// Get/Put/DeleteObjectTagging.
import { readSmallBody } from '../body.ts';
import type { RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { parseTaggingXml, taggingXml } from '../tags.ts';
import { parseXmlBody, xmlDocument } from '../xml.ts';
import { requireObject } from './get-object.ts';

export async function getObjectTagging(ctx: RequestContext): Promise<void> {
  const rec = await requireObject(ctx, ctx.bucket!, ctx.key!);
  sendXml(ctx.res, 200, xmlDocument('Tagging', taggingXml(rec.tags)));
}

export async function putObjectTagging(ctx: RequestContext): Promise<void> {
  await requireObject(ctx, ctx.bucket!, ctx.key!);
  const { data } = await readSmallBody(ctx);
  const tags = parseTaggingXml(parseXmlBody(data, 'Tagging'));
  await ctx.store.updateObject(ctx.bucket!, ctx.key!, (rec) => ({ ...rec, tags }));
  sendEmpty(ctx.res, 200);
}

export async function deleteObjectTagging(ctx: RequestContext): Promise<void> {
  await requireObject(ctx, ctx.bucket!, ctx.key!);
  await ctx.store.updateObject(ctx.bucket!, ctx.key!, (rec) => ({ ...rec, tags: [] }));
  sendEmpty(ctx.res, 204);
}
