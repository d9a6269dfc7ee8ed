// `Expect: 100-continue`: the 100 goes out only when an operation starts reading the body,
// so a request refused up front (auth, missing bucket, too large) never uploads its body.
import type { IncomingMessage, ServerResponse } from 'node:http';

const waiting = new WeakSet<IncomingMessage>();

export function markExpectsContinue(req: IncomingMessage): void {
  waiting.add(req);
}

export function sendContinue(req: IncomingMessage, res: ServerResponse): void {
  if (!waiting.delete(req) || res.headersSent) return;
  res.writeContinue();
}

/** Whether the client still waits for a 100 before it sends its body. */
export function awaitingContinue(req: IncomingMessage): boolean {
  return waiting.has(req);
}
