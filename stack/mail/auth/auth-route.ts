// GET /api/v1/message/{ID|latest}/auth: the message's DKIM / SPF / DMARC verdicts (ours; Mailpit
// has no such path, so its own message shapes stay untouched).

import type { Route } from '../api/context.ts';
import { sendJson } from '../api/http.ts';
import { resolveMessage } from '../api/routes/message.ts';
import { MailError } from '../errors.ts';
import type { MessageAuth } from './message-auth.ts';

export function authRoutes(auth: MessageAuth): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/api\/v1\/message\/([^/]+)\/auth$/,
      async handle(ctx, { res, url, params }) {
        const m = resolveMessage(ctx, params[0] ?? '', url);
        const verdicts = await auth.verdicts(m.id);
        if (!verdicts) throw new MailError('NOT_FOUND', 'Message not found');
        sendJson(res, 200, { ID: m.id, ...verdicts });
      },
    },
  ];
}
