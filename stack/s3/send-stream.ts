// Streams a body into the response. stream.pipeline does the same but allocates an
// AbortController per call and aborts it on completion, building a DOMException (with a stack
// trace) for every GET; this is the same contract without that cost.

import type { ServerResponse } from 'node:http';
import { finished, type Readable } from 'node:stream';

/** A source with a faster way into a response than being piped (disk blobs: FileRangeStream). */
interface SendsItself {
  sendTo(res: ServerResponse): Promise<void>;
}

/**
 * Resolves once `res` has finished; rejects (and destroys both streams) if the source fails or
 * the client goes away first, as pipeline would.
 */
export function sendStream(src: Readable, res: ServerResponse): Promise<void> {
  if (typeof (src as Readable & Partial<SendsItself>).sendTo === 'function') {
    return (src as Readable & SendsItself).sendTo(res);
  }
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
