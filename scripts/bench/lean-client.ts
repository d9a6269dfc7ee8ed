// A minimal SigV4 client for the benchmark's "raw" rows: HTTP/1.1 written and read on
// keep-alive sockets directly, a signed payload hash (as the SDK sends over plain http),
// nothing else. The load generator shares 2 cores with the server under test, so its own CPU
// per request caps every server's rate: node:http's client spent 260–360 µs per small GET,
// more than our server's whole answer, and the rows measured the client. This one spends a
// fraction of that. Every server still verifies the signature and the payload hash, and every
// answer is checked (status 200, the whole body read by its Content-Length or chunks).
import { createHmac, hash } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface LeanClient {
  put(bucket: string, key: string, body: Buffer): Promise<void>;
  /** The object's bytes (throws unless 200). */
  get(bucket: string, key: string): Promise<Buffer>;
  /** A signed ListBuckets (throws unless 200): the start-up probe. */
  listBuckets(): Promise<void>;
  close(): void;
}

const EMPTY_SHA256 = hash('sha256', '', 'hex');

/**
 * HMAC-SHA256 under one fixed key as two one-shot hashes over pads built once (RFC 2104):
 * createHmac wraps its key in a KeyObject on every call, a fifth of this client's CPU.
 */
function fixedKeyHmacHex(key: Buffer): (data: string) => string {
  const inner = Buffer.alloc(64, 0x36);
  const outer = Buffer.alloc(64 + 32, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] = 0x36 ^ key[i]!;
    outer[i] = 0x5c ^ key[i]!;
  }
  return (data) => {
    const innerDigest = hash('sha256', Buffer.concat([inner, Buffer.from(data, 'utf8')]), 'buffer') as Buffer;
    outer.set(innerDigest, 64);
    return hash('sha256', outer, 'hex');
  };
}

/** RFC 3986 encoding of one path segment, as SigV4 canonicalizes it. */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

interface Response {
  status: number;
  body: Buffer;
}

/** One keep-alive connection answering one request at a time. */
class Connection {
  readonly socket: Socket;
  /** Bytes received and not yet consumed, joined only when a response may be complete. */
  #chunks: Buffer[] = [];
  #have = 0;
  /** Bytes a response needs before parsing again is worth it (0: try on any data). */
  #need = 0;
  #pending?: { resolve: (r: Response) => void; reject: (e: Error) => void };
  #closed = false;

  constructor(host: string, port: number, onClose: (c: Connection) => void) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#have += chunk.length;
      if (this.#have < this.#need) return;
      try {
        this.#tryParse();
      } catch (err) {
        // A malformed answer fails its request, not the benchmark process.
        this.socket.destroy(err as Error);
      }
    });
    const fail = (err: Error) => {
      this.#closed = true;
      const p = this.#pending;
      this.#pending = undefined;
      p?.reject(err);
      onClose(this);
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('connection closed before the response ended')));
  }

  get usable(): boolean {
    return !this.#closed;
  }

  send(head: string, body: Buffer | undefined): Promise<Response> {
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.socket.cork();
      this.socket.write(head, 'latin1');
      if (body?.length) this.socket.write(body);
      this.socket.uncork();
    });
  }

  #tryParse(): void {
    const buf = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#have);
    this.#chunks = [buf];
    const end = buf.indexOf('\r\n\r\n', 0, 'latin1');
    if (end < 0 || !this.#pending) return;
    const head = buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    let length = -1;
    let chunked = false;
    let close = false;
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = /chunked/i.test(value);
      else if (name === 'connection') close = /close/i.test(value);
    }
    let body: Buffer;
    let rest: Buffer;
    if (chunked) {
      const parsed = dechunk(buf, end + 4);
      if (!parsed) return;
      [body, rest] = parsed;
    } else {
      if (length < 0) length = 0;
      if (buf.length < end + 4 + length) {
        this.#need = end + 4 + length;
        return;
      }
      body = buf.subarray(end + 4, end + 4 + length);
      rest = buf.subarray(end + 4 + length);
    }
    this.#chunks = rest.length ? [rest] : [];
    this.#have = rest.length;
    this.#need = 0;
    const p = this.#pending;
    this.#pending = undefined;
    if (close) {
      this.#closed = true;
      this.socket.end();
    }
    p.resolve({ status, body });
  }
}

/** A chunked body starting at `from`, or undefined until all of it has arrived. */
function dechunk(buf: Buffer, from: number): [Buffer, Buffer] | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = buf.indexOf('\r\n', at, 'latin1');
    if (eol < 0) return undefined;
    const size = Number.parseInt(buf.toString('latin1', at, eol), 16);
    if (!Number.isFinite(size)) throw new Error('malformed chunked response');
    if (size === 0) {
      const trailerEnd = buf.indexOf('\r\n\r\n', eol, 'latin1');
      if (trailerEnd < 0) return undefined;
      return [Buffer.concat(parts), buf.subarray(trailerEnd + 4)];
    }
    if (buf.length < eol + 2 + size + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

export function leanClient(
  endpoint: string,
  creds: { accessKeyId: string; secretAccessKey: string },
  region = 'us-east-1',
): LeanClient {
  const url = new URL(endpoint);
  const host = url.host;
  const port = Number(url.port || 80);
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  let keyDate = '';
  let sign: (data: string) => string = () => '';
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

  const objectPath = (bucket: string, key: string) =>
    `/${encodeSegment(bucket)}/${key.split('/').map(encodeSegment).join('/')}`;

  const dropped = (c: Connection) => {
    all.delete(c);
    const i = idle.indexOf(c);
    if (i >= 0) idle.splice(i, 1);
  };

  async function send(method: string, path: string, body?: Buffer): Promise<Buffer> {
    const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
    const date = amzDate.slice(0, 8);
    if (date !== keyDate) {
      keyDate = date;
      sign = fixedKeyHmacHex(
        hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, date), region), 's3'), 'aws4_request'),
      );
    }
    const payloadHash = body ? hash('sha256', body, 'hex') : EMPTY_SHA256;
    const signed = body
      ? 'content-length;host;x-amz-content-sha256;x-amz-date'
      : 'host;x-amz-content-sha256;x-amz-date';
    const canonicalHeaders = `${body ? `content-length:${body.length}\n` : ''}host:${host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${amzDate}\n`;
    const canonical = `${method}\n${path}\n\n${canonicalHeaders}\n${signed}\n${payloadHash}`;
    const scope = `${date}/${region}/s3/aws4_request`;
    const signature = sign(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hash('sha256', canonical, 'hex')}`);
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n` +
      `${body ? `Content-Length: ${body.length}\r\n` : ''}` +
      `x-amz-content-sha256: ${payloadHash}\r\nx-amz-date: ${amzDate}\r\n` +
      `Authorization: AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}\r\n\r\n`;
    let conn = idle.pop();
    while (conn && !conn.usable) conn = idle.pop();
    if (!conn) {
      conn = new Connection(url.hostname, port, dropped);
      all.add(conn);
    }
    const res = await conn.send(head, body);
    if (conn.usable) idle.push(conn);
    if (res.status !== 200) {
      throw new Error(`${method} ${path}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
    }
    return res.body;
  }

  return {
    async put(bucket, key, body) {
      await send('PUT', objectPath(bucket, key), body);
    },
    get: (bucket, key) => send('GET', objectPath(bucket, key)),
    async listBuckets() {
      await send('GET', '/');
    },
    close() {
      for (const c of all) c.socket.destroy();
      all.clear();
      idle.length = 0;
    },
  };
}
