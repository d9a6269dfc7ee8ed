// A request answered before its body was read (an early error, a refused POST form). Node does
// not drain a body that something started reading, so the connection would stall: a small body
// is read and discarded so the connection stays reusable; a large or unbounded one, or one the
// client holds back waiting for `100 Continue`, ends the connection after the answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { awaitingContinue } from './expect-continue.ts';

/** Bodies up to this size are drained rather than cut off. */
export const DRAIN_LIMIT = 1024 * 1024;

export function releaseUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  const length = Number(req.headers['content-length']);
  const drain = Number.isFinite(length) && length <= DRAIN_LIMIT && !awaitingContinue(req);
  if (!drain && !res.headersSent) res.setHeader('Connection', 'close');
  // Reading on lets the client finish sending while the answer goes out, so it sees the answer
  // rather than a reset.
  req.resume();
}
