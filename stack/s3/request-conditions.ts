// Condition keys every authorization of a request shares: where it came from, when, over what
// transport, who signed it and how, and the request headers IAM exposes as keys.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AuthContext } from './ingest/types.ts';

function sourceIp(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

const HEADER_KEYS: [string, string][] = [
  ['x-amz-server-side-encryption', 's3:x-amz-server-side-encryption'],
  ['x-amz-server-side-encryption-aws-kms-key-id', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
  ['x-amz-acl', 's3:x-amz-acl'],
  ['x-amz-storage-class', 's3:x-amz-storage-class'],
  ['x-amz-copy-source', 's3:x-amz-copy-source'],
  ['x-amz-metadata-directive', 's3:x-amz-metadata-directive'],
  ['referer', 'aws:Referer'],
  ['user-agent', 'aws:UserAgent'],
];

// aws:CurrentTime has one-second resolution: formatted once per second rather than per request
// (Date#toISOString plus a regex showed up in the per-request profile).
let lastSecond = Number.NaN;
let lastText = '';

function isoSeconds(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}

/** `s3:authType` of a browser form upload (POST Object). */
export const POST_AUTH_TYPE = 'POST';

/**
 * @param headers the headers the keys are read from (a POST form's fields stand in for them)
 * @param authType overrides `s3:authType` (POST Object)
 */
export function requestConditions(
  req: IncomingMessage,
  auth: AuthContext,
  now: number,
  headers: Record<string, string | string[] | undefined> = req.headers,
  authType?: string,
): Record<string, string> {
  const c: Record<string, string> = {
    'aws:SourceIp': sourceIp(req),
    'aws:SecureTransport': String(Boolean((req.socket as TLSSocket).encrypted)),
    'aws:CurrentTime': isoSeconds(now),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    's3:signatureversion': 'AWS4-HMAC-SHA256',
  };
  const id = auth.identity;
  if (id) {
    c['aws:PrincipalArn'] = id.arn;
    c['aws:PrincipalType'] = id.root ? 'Account' : 'User';
    if (!id.root) c['aws:username'] = id.name;
    c['s3:authType'] = authType ?? (auth.via === 'presigned' ? 'REST-QUERY-STRING' : 'REST-HEADER');
  } else {
    c['aws:PrincipalType'] = 'Anonymous';
  }
  if (auth.contentSha256 !== undefined) c['s3:x-amz-content-sha256'] = auth.contentSha256;
  for (const [header, key] of HEADER_KEYS) {
    const v = headers[header];
    if (typeof v === 'string') c[key] = v;
  }
  return c;
}
