// GET /api/v1/wait — the server-side wait Mailpit lacks (its clients poll). Answers the moment
// `count` messages matching `query` (and `scope`) with seq > `after` exist, counting those that
// arrived before the call. `none=1` inverts it: 200 after `timeout` ms if nothing matching
// arrived, 409 the moment something does.
import { MailError } from '../../errors.ts';
import { expectNoMessages, waitForMessages } from '../../search/wait.ts';
import type { MessageSummary } from '../../store/types.ts';
import type { Route } from '../context.ts';
import { intParam, sendJson } from '../http.ts';
import { listItem } from '../shapes.ts';

export const waitRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/v1\/wait$/,
    async handle(ctx, { res, url }) {
      const none = ['1', 'true'].includes(url.searchParams.get('none') ?? '');
      const timeout = intParam(url, 'timeout', 5000, 0, ctx.maxWaitMs);
      const count = intParam(url, 'count', 1, 1, 100_000);
      // For "expect none" the default baseline is now: mail from before the call is not news.
      const after = intParam(url, 'after', none ? ctx.store.lastSeq : 0);
      const filter = {
        query: url.searchParams.get('query') ?? undefined,
        scope: url.searchParams.get('scope') ?? undefined,
        afterSeq: after,
        timeout,
      };
      const abort = new AbortController();
      const onClose = () => abort.abort();
      res.once('close', onClose);
      const body = (messages: MessageSummary[]) => ({
        count: messages.length,
        seq: ctx.store.lastSeq,
        after,
        messages: messages.map(listItem),
      });
      try {
        if (none) {
          await expectNoMessages(ctx.store, { ...filter, signal: abort.signal });
          sendJson(res, 200, body([]));
        } else {
          sendJson(
            res,
            200,
            body(await waitForMessages(ctx.store, { ...filter, count, signal: abort.signal })),
          );
        }
      } catch (err) {
        if (!(err instanceof MailError)) throw err;
        if (err.code === 'WAIT_ABORTED') return;
        const arrived = (err.details.arrived as MessageSummary[] | undefined) ?? [];
        const status = err.code === 'WAIT_TIMEOUT' ? 408 : 409;
        sendJson(res, status, {
          error: err.code,
          message: err.message,
          expected: none ? 0 : count,
          ...body(arrived),
        });
      } finally {
        res.off('close', onClose);
      }
    },
  },
];
