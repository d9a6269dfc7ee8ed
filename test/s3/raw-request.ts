// Hand-built requests for what SDKs never send: signed with SigV4 (smithy's signer), with
// bodies we control byte by byte (aws-chunked framing with our own chunk signatures).
import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Identity } from '../../stack/s3/identity.ts';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends bytes as-is to the server; `body` may be split to simulate slow or cut-off clients. */
export function send(
  url: string,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method: opts.method, path: opts.path, headers: opts.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface SignOptions {
  method: string;
  /** Path with its query string, already URI-encoded as it goes on the wire. */
  path: string;
  host: string;
  identity: Identity;
  region?: string;
  headers?: Record<string, string>;
  /** Hex SHA-256 of the body, or one of the special payload values. @default hash of body */
  contentSha256?: string;
  body?: Buffer | string;
  date?: Date;
}

export async function signHeaders(o: SignOptions): Promise<Record<string, string>> {
  const [pathOnly, qs = ''] = o.path.split('?');
  const query: Record<string, string> = {};
  for (const part of qs.split('&').filter(Boolean)) {
    const [k, v = ''] = part.split('=');
    query[decodeURIComponent(k!)] = decodeURIComponent(v);
  }
  const body = o.body === undefined ? Buffer.alloc(0) : Buffer.from(o.body);
  const signer = new SignatureV4({
    credentials: { accessKeyId: o.identity.accessKeyId, secretAccessKey: o.identity.secretAccessKey },
    region: o.region ?? 'us-east-1',
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const headers = {
    host: o.host,
    'x-amz-content-sha256': o.contentSha256 ?? createHash('sha256').update(body).digest('hex'),
    ...(o.headers ?? {}),
  };
  const signed = await signer.sign(
    {
      method: o.method,
      protocol: 'http:',
      hostname: o.host,
      path: decodeURIComponent(pathOnly!),
      query,
      headers,
    },
    { signingDate: o.date ?? new Date() },
  );
  return signed.headers as Record<string, string>;
}

export async function signedSend(
  url: string,
  o: Omit<SignOptions, 'host'> & { host?: string },
): Promise<RawResponse> {
  const host = o.host ?? new URL(url).host;
  const headers = await signHeaders({ ...o, host });
  if (o.body !== undefined && headers['content-length'] === undefined)
    headers['content-length'] = String(Buffer.byteLength(o.body));
  return send(url, { method: o.method, path: o.path, headers, body: o.body });
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

const EMPTY_SHA = createHash('sha256').update('').digest('hex');

/**
 * A STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload: headers signed with the seed signature and
 * the aws-chunked body with chained chunk signatures. `corrupt` damages one chunk signature.
 */
export async function streamingSignedUpload(
  url: string,
  o: {
    path: string;
    identity: Identity;
    payload: Buffer;
    chunkSize: number;
    corruptChunk?: number;
    region?: string;
  },
): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const host = new URL(url).host;
  const region = o.region ?? 'us-east-1';
  const chunks: Buffer[] = [];
  for (let i = 0; i < o.payload.length; i += o.chunkSize) chunks.push(o.payload.subarray(i, i + o.chunkSize));
  chunks.push(Buffer.alloc(0));
  const framing = chunks.reduce((n, c) => n + c.length.toString(16).length + 17 + 64 + 2 + c.length + 2, 0);
  const headers = await signHeaders({
    method: 'PUT',
    path: o.path,
    host,
    identity: o.identity,
    region,
    contentSha256: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    headers: {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(o.payload.length),
      'content-length': String(framing),
    },
  });
  const amzDate = headers['x-amz-date']!;
  const scope = `${amzDate.slice(0, 8)}/${region}/s3/aws4_request`;
  const key = hmac(
    hmac(hmac(hmac(`AWS4${o.identity.secretAccessKey}`, amzDate.slice(0, 8)), region), 's3'),
    'aws4_request',
  );
  let prev = /Signature=(\w+)/.exec(headers.authorization!)![1]!;
  const parts: Buffer[] = [];
  chunks.forEach((chunk, i) => {
    prev = hmac(
      key,
      `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${prev}\n${EMPTY_SHA}\n${createHash('sha256').update(chunk).digest('hex')}`,
    ).toString('hex');
    const sig = i === o.corruptChunk ? `${prev.slice(0, -1)}${prev.endsWith('0') ? '1' : '0'}` : prev;
    parts.push(
      Buffer.from(`${chunk.length.toString(16)};chunk-signature=${sig}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    );
  });
  return { headers, body: Buffer.concat(parts) };
}
