// GET /api/stack/mail/{id}/html[?remote=1]: a captured email's HTML as its own document, for the
// console's sandboxed iframe. The mail is hostile input: the response's CSP sandboxes it (opaque
// origin, no scripts, no forms, no navigation of the console) and allows no network at all —
// remote images only once the user asks (?remote=1). Inline cid: images become data: URLs.

import type { ConsoleContext, Route } from '../context.ts';
import { ConsoleError } from '../errors.ts';
import { sandboxCsp } from '../security.ts';

/** Inline parts larger than this in total are left as broken cid: references. */
const INLINE_BUDGET = 8 * 1024 * 1024;
const INLINE_IMAGE = /^image\/(png|jpeg|gif|webp|avif|bmp)$/i;

interface MessageJson {
  ID: string;
  HTML: string;
  Inline?: { PartID: string; ContentID: string; ContentType: string; Size: number }[];
}

async function loadMessage(ctx: ConsoleContext, id: string): Promise<MessageJson> {
  const res = await ctx.mailFetch(`/api/v1/message/${encodeURIComponent(id)}`);
  if (res.status === 404) throw new ConsoleError('NOT_FOUND', 'Message not found');
  if (!res.ok) throw new ConsoleError('INTERNAL', `Mail API answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as MessageJson;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function inlineImages(ctx: ConsoleContext, m: MessageJson): Promise<string> {
  let html = m.HTML;
  let budget = INLINE_BUDGET;
  for (const part of m.Inline ?? []) {
    if (!part.ContentID || !INLINE_IMAGE.test(part.ContentType) || part.Size > budget) continue;
    if (!html.toLowerCase().includes(`cid:${part.ContentID.toLowerCase()}`)) continue;
    const res = await ctx.mailFetch(`/api/v1/message/${encodeURIComponent(m.ID)}/part/${part.PartID}`);
    if (!res.ok) continue;
    const data = Buffer.from(await res.arrayBuffer());
    budget -= data.length;
    const url = `data:${part.ContentType.toLowerCase()};base64,${data.toString('base64')}`;
    html = html.replace(new RegExp(`cid:${escapeRegExp(part.ContentID)}`, 'gi'), url);
  }
  return html;
}

export const mailHtmlRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/stack\/mail\/([^/]+)\/html$/,
    async handle(ctx, { res, url, params }) {
      if (!ctx.hasMail)
        throw new ConsoleError('NOT_CONFIGURED', 'The console was started without a mail API');
      const message = await loadMessage(ctx, decodeURIComponent(params[0]!));
      const remote = url.searchParams.get('remote') === '1';
      const html = message.HTML ? await inlineImages(ctx, message) : '';
      const body = Buffer.from(html || '<p style="font-family:sans-serif;color:#666">(no HTML part)</p>');
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
        'Content-Security-Policy': sandboxCsp([
          `img-src data:${remote ? ' http: https:' : ''}`,
          "style-src 'unsafe-inline'",
          'font-src data:',
          "frame-ancestors 'self'",
        ]),
        'X-Frame-Options': 'SAMEORIGIN',
      });
      res.end(body);
    },
  },
];
