// GET /api/v1/info, /webui, /tags (Mailpit shapes) and GET /api/v1/ca.pem (ours).
import { MailError } from '../../errors.ts';
import { tagCounts } from '../../parse/tags.ts';
import type { Route } from '../context.ts';
import { sendJson, sendText } from '../http.ts';

export const infoRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/v1\/info$/,
    handle(ctx, { res }) {
      const all = ctx.store.list();
      const tags = Object.fromEntries(tagCounts(all.toReversed().map((m) => m.tags)));
      sendJson(res, 200, {
        Version: ctx.version,
        LatestVersion: ctx.version,
        Database: ctx.store.kind === 'disk' ? 'disk' : 'memory',
        DatabaseSize: ctx.store.totalBytes,
        Messages: all.length,
        Unread: all.filter((m) => !m.read).length,
        Tags: tags,
        RuntimeStats: {
          Memory: process.memoryUsage().rss,
          MessagesDeleted: ctx.stats.deleted,
          SMTPAccepted: ctx.stats.accepted,
          SMTPAcceptedSize: ctx.stats.acceptedBytes,
          SMTPRejected: ctx.stats.rejected,
          SMTPIgnored: 0,
          Uptime: Math.round((Date.now() - ctx.stats.startedAt) / 1000),
        },
        LatestSeq: ctx.store.lastSeq,
      });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/v1\/webui$/,
    handle(_ctx, { res }) {
      sendJson(res, 200, {
        Label: 'captured mail',
        MessageRelay: {
          Enabled: false,
          SMTPServer: '',
          ReturnPath: '',
          AllowedRecipients: '',
          BlockedRecipients: '',
          OverrideFrom: '',
          PreserveMessageIDs: false,
          RecipientAllowlist: '',
        },
        SpamAssassin: false,
        ChaosEnabled: false,
        DuplicatesIgnored: false,
        HideDeleteAllButton: false,
      });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/v1\/tags$/,
    handle(ctx, { res }) {
      sendJson(res, 200, [
        ...tagCounts(
          ctx.store
            .list()
            .toReversed()
            .map((m) => m.tags),
        ).keys(),
      ]);
    },
  },
  {
    method: 'GET',
    path: /^\/api\/v1\/ca\.pem$/,
    handle(ctx, { res }) {
      if (!ctx.caCertPem) throw new MailError('NOT_FOUND', 'No certificate authority configured');
      res.setHeader('Content-Disposition', 'attachment; filename="ca.pem"');
      sendText(res, 200, ctx.caCertPem, 'application/x-pem-file');
    },
  },
];
