// A minimal SigV4 client for the benchmark's "raw" rows: keep-alive node:http, a signed
// payload hash (as the SDK sends over plain http), nothing else. On 2 cores the AWS SDK spends
// more CPU per small request than any of the servers, so SDK rows mostly measure the SDK; these
// rows measure the server. Every server still verifies the signature and the payload hash.
import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';

export interface LeanClient {
  put(bucket: string, key: string, body: Buffer): Promise<void>;
  /** The object's bytes (throws unless 200). */
  get(bucket: string, key: string): Promise<Buffer>;
  /** A signed ListBuckets (throws unless 200): the start-up probe. */
  listBuckets(): Promise<void>;
  close(): void;
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** RFC 3986 encoding of one path segment, as SigV4 canonicalizes it. */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function leanClient(
  endpoint: string,
  creds: { accessKeyId: string; secretAccessKey: string },
  region = 'us-east-1',
): LeanClient {
  const url = new URL(endpoint);
  const host = url.host;
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  let keyDate = '';
  let signingKey = Buffer.alloc(0);
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

  const objectPath = (bucket: string, key: string) =>
    `/${encodeSegment(bucket)}/${key.split('/').map(encodeSegment).join('/')}`;

  function send(method: string, path: string, body?: Buffer): Promise<Buffer> {
    const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
    const date = amzDate.slice(0, 8);
    if (date !== keyDate) {
      keyDate = date;
      signingKey = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, date), region), 's3'), 'aws4_request');
    }
    const payloadHash = body ? createHash('sha256').update(body).digest('hex') : EMPTY_SHA256;
    const signed = body
      ? 'content-length;host;x-amz-content-sha256;x-amz-date'
      : 'host;x-amz-content-sha256;x-amz-date';
    const canonicalHeaders = `${body ? `content-length:${body.length}\n` : ''}host:${host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${amzDate}\n`;
    const canonical = `${method}\n${path}\n\n${canonicalHeaders}\n${signed}\n${payloadHash}`;
    const scope = `${date}/${region}/s3/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
    const headers: Record<string, string | number> = {
      host,
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': amzDate,
      authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
    };
    if (body) headers['content-length'] = body.length;
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          if (res.statusCode === 200) resolve(all);
          else
            reject(new Error(`${method} ${path}: ${res.statusCode} ${all.toString('utf8').slice(0, 300)}`));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    async put(bucket, key, body) {
      await send('PUT', objectPath(bucket, key), body);
    },
    get: (bucket, key) => send('GET', objectPath(bucket, key)),
    async listBuckets() {
      await send('GET', '/');
    },
    close: () => agent.destroy(),
  };
}
