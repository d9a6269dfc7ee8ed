// Streams a body into the response. stream.pipeline does the same but allocates an
// AbortController per call and aborts it on completion, building a DOMException (with a stack
// trace) for every GET; this is the same contract without that cost.

import type { ServerResponse } from 'node:http';
import { finished, type Readable } from 'node:stream';

/**
 * Resolves once `res` has finished; rejects (and destroys both streams) if the source fails or
 * the client goes away first, as pipeline would.
 */
export function sendStream(src: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      src.unpipe(res);
      src.destroy();
      if (!res.destroyed) res.destroy(err);
      reject(err);
    };
    src.once('error', fail);
    finished(res, (err) => {
      if (err) return fail(err);
      if (done) return;
      done = true;
      src.off('error', fail);
      resolve();
    });
    src.pipe(res);
  });
}
