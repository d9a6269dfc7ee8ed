// A tiny HTTP server for POST Object tests: it hands each request to handlePostObject with a
// store that keeps objects in a Map and commits only when the file body ends cleanly.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { isS3Error, S3Error } from '../../../stack/s3/errors.ts';
import type { Identity } from '../../../stack/s3/identity.ts';
import { handlePostObject, type PostObjectInput } from '../../../stack/s3/post-object/index.ts';
import { errorXml } from '../../../stack/s3/respond.ts';

export const BUCKET = 'focusmate-uploads';
export const REGION = 'ap-northeast-2';

export const USER: Identity = {
  name: 'focusmate-s3-user',
  arn: 'arn:aws:iam::000000000000:user/focusmate-s3-user',
  accessKeyId: 'AKIAFOCUSMATEUPLOAD1',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/focusmateSECRETKEY1',
  root: false,
};

export interface StoredObject extends PostObjectInput {
  bytes: Buffer;
  etag: string;
  identity: Identity | null;
}

export interface StoreTrace {
  /** Largest chunk the store received. */
  maxChunk: number;
  chunks: number;
  /** Whether the request body had fully arrived when the store saw its first byte. */
  requestEndedAtFirstChunk?: boolean;
  /** How the store's body finished: 'end' or the error code it saw. */
  outcome?: string;
}

export interface PostServer {
  url: string;
  objects: Map<string, StoredObject>;
  traces: StoreTrace[];
  /** Milliseconds added to the real clock for `now`. */
  skewMs: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface ServerOptions {
  maxBytes?: number;
  /** Refuse anonymous uploads as a private bucket does. @default true */
  privateBucket?: boolean;
}

const lookup = (id: string) => (id === USER.accessKeyId ? USER : undefined);

export async function startPostServer(opts: ServerOptions = {}): Promise<PostServer> {
  const objects = new Map<string, StoredObject>();
  const traces: StoreTrace[] = [];
  const state = { skewMs: 0 };

  const store =
    (req: IncomingMessage) =>
    async (input: PostObjectInput & { body: Readable; identity: Identity | null }) => {
      const trace: StoreTrace = { maxChunk: 0, chunks: 0 };
      traces.push(trace);
      const hash = createHash('md5');
      const parts: Buffer[] = [];
      try {
        for await (const chunk of input.body as AsyncIterable<Buffer>) {
          if (trace.chunks === 0) trace.requestEndedAtFirstChunk = req.readableEnded;
          trace.chunks++;
          trace.maxChunk = Math.max(trace.maxChunk, chunk.length);
          hash.update(chunk);
          parts.push(chunk);
        }
      } catch (err) {
        trace.outcome = isS3Error(err) ? err.code : String(err);
        throw err;
      }
      trace.outcome = 'end';
      const bytes = Buffer.concat(parts);
      const etag = hash.digest('hex');
      const { body: _body, ...rest } = input;
      objects.set(input.key, { ...rest, bytes, etag });
      return { etag, size: bytes.length };
    };

  const server = createServer(async (req, res) => {
    try {
      const bucket = decodeURIComponent((req.url ?? '/').split('?')[0].slice(1));
      const out = await handlePostObject(
        {
          bucket,
          headers: req.headers,
          body: req,
          now: Date.now() + state.skewMs,
          maxBytes: opts.maxBytes ?? 64 << 20,
          region: REGION,
        },
        {
          lookup,
          authorize: ({ identity }) => {
            if (identity === null && opts.privateBucket !== false) throw new S3Error('AccessDenied');
          },
          store: store(req),
        },
      );
      res.writeHead(out.status, out.headers);
      res.end(out.body);
    } catch (err) {
      const e = isS3Error(err) ? err : new S3Error('InternalError');
      res.writeHead(e.status, { 'content-type': 'application/xml', ...e.headers });
      res.end(errorXml(e, `/${BUCKET}`, 'TESTREQUESTID', 'host'));
      req.resume();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    objects,
    traces,
    get skewMs() {
      return state.skewMs;
    },
    set skewMs(v: number) {
      state.skewMs = v;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The S3 error document's Code, Message and extra elements. */
export async function s3Error(res: Response): Promise<Record<string, string>> {
  const xml = await res.text();
  const out: Record<string, string> = {};
  const decodeXml = (v: string) =>
    v
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  for (const m of xml.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) out[m[1]] = decodeXml(m[2]);
  return out;
}
