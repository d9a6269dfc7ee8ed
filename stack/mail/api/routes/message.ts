// One message: GET /api/v1/message/{ID|latest}[/raw|/headers|/part/{PartID}|/extract].
import { MailError } from '../../errors.ts';
import { extract } from '../../parse/extract.ts';
import { compileFilter } from '../../search/filter.ts';
import type { MessageSummary } from '../../store/types.ts';
import type { ApiContext, Route } from '../context.ts';
import { headerMap } from '../headers.ts';
import { sendJson, sendText } from '../http.ts';
import { contentDisposition, safeContentType, safeFileName } from '../safe-download.ts';
import { fullMessage } from '../shapes.ts';

const ID = '([^/]+)';

/**
 * `latest` is the newest message, or as in Mailpit the newest one matching ?query= (a search);
 * ?scope= (ours) limits it to one scope, so parallel tests each get their own latest message.
 * Every sub-resource (/raw, /headers, /part/…, /extract, /view) resolves `latest` the same way.
 */
export function resolveMessage(ctx: ApiContext, id: string, url: URL): MessageSummary {
  const decoded = decodeURIComponent(id);
  if (decoded !== 'latest') {
    const m = ctx.store.get(decoded);
    if (!m) throw new MailError('NOT_FOUND', 'Message not found');
    return m;
  }
  const scope = url.searchParams.get('scope');
  const query = (url.searchParams.get('query') ?? '').trim();
  let m: MessageSummary | undefined;
  if (!scope && !query) m = ctx.store.latest();
  else {
    const match = compileFilter({ scope: scope || undefined, query });
    m = ctx.store.list().find(match);
  }
  if (!m) throw new MailError('NOT_FOUND', 'Message not found');
  return m;
}

async function raw(ctx: ApiContext, m: MessageSummary): Promise<Buffer> {
  const data = await ctx.store.raw(m.id);
  if (!data) throw new MailError('NOT_FOUND', 'Message not found');
  return data;
}

export const messageRoutes: Route[] = [
  {
    method: 'GET',
    path: new RegExp(`^/api/v1/message/${ID}$`),
    async handle(ctx, { res, url, params }) {
      const m = resolveMessage(ctx, params[0]!, url);
      const body = fullMessage(m, await ctx.cache.parsed(m));
      ctx.store.setRead([m.id], true);
      sendJson(res, 200, body);
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/v1/message/${ID}/raw$`),
    async handle(ctx, { res, url, params }) {
      const m = resolveMessage(ctx, params[0]!, url);
      const data = await raw(ctx, m);
      if (url.searchParams.get('dl') === '1')
        res.setHeader('Content-Disposition', `attachment; filename="${m.id}.eml"`);
      sendText(res, 200, data);
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/v1/message/${ID}/headers$`),
    async handle(ctx, { res, url, params }) {
      sendJson(res, 200, headerMap(await raw(ctx, resolveMessage(ctx, params[0]!, url))));
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/v1/message/${ID}/part/([0-9.]+)$`),
    async handle(ctx, { res, url, params }) {
      const m = resolveMessage(ctx, params[0]!, url);
      const partId = params[1]!;
      const mail = await ctx.cache.parsed(m);
      const index = mail.attachments.findIndex((a, i) => (a.partId ?? String(i + 1)) === partId);
      const part = mail.attachments[index];
      if (!part) throw new MailError('NOT_FOUND', 'Attachment not found');
      const name = safeFileName(
        part.filename || (part.contentId ?? '').replace(/^<|>$/g, ''),
        `part-${partId}`,
      );
      res.writeHead(200, {
        'Content-Type': safeContentType(part.contentType),
        'Content-Disposition': contentDisposition(name),
        'Content-Length': part.content.length,
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(part.content);
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/v1/message/${ID}/extract$`),
    async handle(ctx, { res, url, params }) {
      const m = resolveMessage(ctx, params[0]!, url);
      const found = extract(await ctx.cache.parsed(m));
      sendJson(res, 200, {
        ID: m.id,
        Links: found.links.map((l) => ({ URL: l.url, Text: l.text, Source: l.source })),
        Codes: found.codes.map((c) => ({ Code: c.code, Context: c.context, Source: c.source })),
      });
    },
  },
  {
    method: 'GET',
    path: /^\/view\/([^/]+)\.(txt|html)$/,
    async handle(ctx, { res, url, params }) {
      const mail = await ctx.cache.parsed(resolveMessage(ctx, params[0]!, url));
      if (params[1] === 'txt') {
        sendText(res, 200, mail.text ?? '');
        return;
      }
      if (typeof mail.html !== 'string') throw new MailError('NOT_FOUND', 'Message has no HTML part');
      res.setHeader(
        'Content-Security-Policy',
        "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'",
      );
      sendText(res, 200, mail.html, 'text/html; charset=utf-8');
    },
  },
];
