// SigV4 request authentication, header and presigned, with S3's own error codes and wording.
// The region of the credential scope is reported, not checked: only the server knows the
// bucket's region (see wrongRegionError).
import { S3Error } from '../errors.ts';
import type { Identity } from '../identity.ts';
import { formatAmzDate, formatIsoSeconds, parseAmzDate } from './amz-date.ts';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUriNormalized,
  canonicalUriRaw,
  hexBytes,
  parseQuery,
  type QueryParam,
  stringToSign,
} from './canonical.ts';
import { parsePayloadMode } from './payload-mode.ts';
import { canonicalHeaders, type HeaderSource, headerValue } from './request-headers.ts';
import { createSigningKeyCache, hmacHex, signaturesEqual } from './signing-key.ts';
import type { AuthContext, AuthenticateOptions, PayloadMode, RequestInfo } from './types.ts';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_EXPIRES = 604800;
const UNSUPPORTED_MECHANISM =
  'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';
const CREDENTIAL_FORMAT =
  'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';
const HEADER_MALFORMED = 'The authorization header is malformed; ';
const QUERY_MALFORMED = 'Error parsing the X-Amz-Credential parameter; ';
const QUERY_PARAMS_REQUIRED =
  'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';
const BAD_DATE = 'AWS authentication requires a valid Date or x-amz-date header';

// x-amz-* headers that clients add around an already signed request and that S3 tolerates
// unsigned; every other x-amz-* header present must be in SignedHeaders.
const UNSIGNED_OK = new Set([
  'x-amz-content-sha256',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'x-amz-user-agent',
]);

const sharedKeyCache = createSigningKeyCache();

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminal: string;
}

// The credential text repeats request after request (one key, one day, one region): the last
// valid one is kept parsed, per error wording.
const lastCredential = {
  AuthorizationHeaderMalformed: { text: '', parsed: undefined as Readonly<Credential> | undefined },
  AuthorizationQueryParametersError: { text: '', parsed: undefined as Readonly<Credential> | undefined },
};

function parseCredential(
  value: string,
  code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError',
): Readonly<Credential> {
  const memo = lastCredential[code];
  if (memo.parsed && memo.text === value) return memo.parsed;
  const parsed = parseCredentialText(value, code);
  memo.text = value;
  memo.parsed = parsed;
  return parsed;
}

function parseCredentialText(
  value: string,
  code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError',
): Credential {
  const prefix = code === 'AuthorizationHeaderMalformed' ? HEADER_MALFORMED : QUERY_MALFORMED;
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '') || !/^\d{8}$/.test(parts[1])) {
    throw new S3Error(code, prefix + CREDENTIAL_FORMAT);
  }
  const [accessKeyId, date, region, service, terminal] = parts;
  if (service !== 's3') {
    throw new S3Error(code, `${prefix}incorrect service "${service}". This endpoint belongs to "s3".`);
  }
  if (terminal !== 'aws4_request') {
    throw new S3Error(code, `${prefix}incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  }
  return { accessKeyId, date, region, service, terminal } satisfies Credential;
}

function lookupIdentity(accessKeyId: string, opts: AuthenticateOptions): Identity {
  const identity = opts.lookup(accessKeyId);
  if (!identity || identity.active === false) {
    throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  }
  return identity;
}

interface Verification {
  req: RequestInfo;
  params: QueryParam[];
  excludeParam?: string;
  signedHeaders: string[];
  signedHeadersText: string;
  payloadHash: string;
  amzDate: string;
  scope: string;
  signingKey: Buffer;
  provided: string;
  accessKeyId: string;
}

/**
 * Verifies the signature, trying the path and query as sent first, then as re-encoded. The
 * re-encoded forms are only derived once the form as sent has failed (nearly every client
 * signs the path exactly as it sends it).
 */
function verifySignature(v: Verification): void {
  const src: HeaderSource = v.req;
  const headers = canonicalHeaders(src, v.signedHeaders);
  const method = v.req.method.toUpperCase();
  const attempt = (uri: string, query: string) => {
    const canonical = canonicalRequest({
      method,
      uri,
      query,
      headers,
      signedHeaders: v.signedHeadersText,
      payloadHash: v.payloadHash,
    });
    const toSign = stringToSign(v.amzDate, v.scope, canonical);
    const expected = hmacHex(v.signingKey, toSign);
    return { ok: signaturesEqual(expected, v.provided), canonical, toSign };
  };
  const rawUri = canonicalUriRaw(v.req.rawPath);
  const query = canonicalQuery(v.params, v.excludeParam);
  const first = attempt(rawUri, query);
  if (first.ok) return;

  const uris = [rawUri];
  const normalized = canonicalUriNormalized(v.req.rawPath);
  if (normalized !== rawUri) uris.push(normalized);
  const queries = [query];
  if (v.req.rawQuery.includes('+')) {
    const plusAsSpace = canonicalQuery(parseQuery(v.req.rawQuery, true), v.excludeParam);
    if (plusAsSpace !== query) queries.push(plusAsSpace);
  }
  for (const uri of uris) {
    for (const q of queries) {
      if (uri === rawUri && q === query) continue;
      if (attempt(uri, q).ok) return;
    }
  }
  const { canonical, toSign } = first;
  throw new S3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: v.accessKeyId,
    StringToSign: toSign,
    SignatureProvided: v.provided,
    StringToSignBytes: hexBytes(toSign),
    CanonicalRequest: canonical,
    CanonicalRequestBytes: hexBytes(canonical),
  });
}

/** Whether a header name (any case) is host or x-amz-*, the names that must be signed. */
function mustBeSigned(name: string): boolean {
  const c = name.charCodeAt(0) | 0x20; // ASCII lower case
  return (c === 0x68 && name.length === 4) || (c === 0x78 && name.length > 6);
}

function checkAllSigned(req: RequestInfo, signed: string[]): void {
  let missing: string[] | undefined;
  const names = req.rawHeaders ?? Object.keys(req.headers);
  const step = req.rawHeaders ? 2 : 1;
  for (let i = 0; i < names.length; i += step) {
    // Most headers are neither host nor x-amz-*: ruled out without lower-casing them.
    if (!mustBeSigned(names[i]!)) continue;
    const name = names[i]!.toLowerCase();
    if (name !== 'host' && !(name.startsWith('x-amz-') && !UNSIGNED_OK.has(name))) continue;
    if (signed.includes(name) || missing?.includes(name)) continue;
    missing ??= [];
    missing.push(name);
  }
  if (missing) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
      HeadersNotSigned: missing.sort().join(', '),
    });
  }
}

// A client sends the same SignedHeaders text request after request: the last one is kept parsed.
let lastSignedText: string | undefined;
let lastSigned: readonly string[] = [];

function parseSignedHeaders(text: string): string[] {
  if (text !== lastSignedText) {
    lastSigned = text
      .split(';')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== '');
    lastSignedText = text;
  }
  return lastSigned.slice();
}

function headerAuth(
  req: RequestInfo,
  params: QueryParam[],
  authorization: string,
  opts: AuthenticateOptions,
): AuthContext {
  const auth = authorization.trim();
  const space = auth.indexOf(' ');
  const algorithm = space < 0 ? auth : auth.slice(0, space);
  if (algorithm === 'AWS' || algorithm === 'AWS4-ECDSA-P256-SHA256') {
    throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM);
  }
  if (algorithm !== ALGORITHM) {
    throw new S3Error('InvalidArgument', 'Unsupported Authorization Type', {
      ArgumentName: 'Authorization',
      ArgumentValue: authorization,
    });
  }
  // The three components by name (a repeated one: the last wins); other names are ignored.
  let credentialText: string | undefined;
  let signedHeadersText: string | undefined;
  let provided: string | undefined;
  for (const part of auth.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === 'Credential') credentialText = part.slice(eq + 1).trim();
    else if (name === 'SignedHeaders') signedHeadersText = part.slice(eq + 1).trim();
    else if (name === 'Signature') provided = part.slice(eq + 1).trim();
  }
  if (credentialText === undefined || signedHeadersText === undefined || provided === undefined) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      `${HEADER_MALFORMED}the authorization header requires three components: Credential, SignedHeaders, and Signature.`,
    );
  }
  const credential = parseCredential(credentialText, 'AuthorizationHeaderMalformed');

  const contentSha256 = headerValue(req.headers, 'x-amz-content-sha256');
  if (contentSha256 === undefined) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  const payload = parsePayloadMode(contentSha256);

  const identity = lookupIdentity(credential.accessKeyId, opts);

  const xAmzDate = headerValue(req.headers, 'x-amz-date');
  const dateHeader = headerValue(req.headers, 'date');
  let requestMs: number | undefined;
  let requestTimeText: string;
  if (xAmzDate !== undefined) {
    requestMs = parseAmzDate(xAmzDate.trim());
    requestTimeText = xAmzDate.trim();
  } else {
    requestMs = dateHeader === undefined ? undefined : Date.parse(dateHeader);
    requestTimeText = dateHeader ?? '';
  }
  if (requestMs === undefined || Number.isNaN(requestMs)) throw new S3Error('AccessDenied', BAD_DATE);
  // A valid x-amz-date is already in canonical form (parseAmzDate accepts exactly that form).
  const amzDate = xAmzDate !== undefined ? requestTimeText : formatAmzDate(requestMs);

  const now = (opts.now ?? Date.now)();
  if (Math.abs(now - requestMs) > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: requestTimeText,
      ServerTime: formatIsoSeconds(now),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }
  if (credential.date !== amzDate.slice(0, 8)) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      `${HEADER_MALFORMED}Invalid credential date. Date is not the same as X-Amz-Date.`,
    );
  }

  const signedHeaders = parseSignedHeaders(signedHeadersText);
  const scope = `${credential.date}/${credential.region}/s3/aws4_request`;
  const signingKey = (opts.keyCache ?? sharedKeyCache).get(
    identity.secretAccessKey,
    credential.date,
    credential.region,
    's3',
  );
  verifySignature({
    req,
    params,
    signedHeaders,
    signedHeadersText,
    payloadHash: contentSha256,
    amzDate,
    scope,
    signingKey,
    provided,
    accessKeyId: credential.accessKeyId,
  });
  checkAllSigned(req, signedHeaders);

  return {
    identity,
    via: 'header',
    accessKeyId: credential.accessKeyId,
    signedRegion: credential.region,
    payload,
    signedHeaders,
    contentSha256,
    seedSignature: provided,
    signingKey,
    amzDate,
    scope,
  };
}

function queryAuth(req: RequestInfo, params: QueryParam[], opts: AuthenticateOptions): AuthContext {
  const get = (name: string) => params.find((p) => p.key === name)?.value;
  const algorithm = get('X-Amz-Algorithm');
  const credentialText = get('X-Amz-Credential');
  const provided = get('X-Amz-Signature');
  const amzDate = get('X-Amz-Date');
  const signedHeadersText = get('X-Amz-SignedHeaders');
  const expiresText = get('X-Amz-Expires');
  if (
    algorithm === undefined ||
    credentialText === undefined ||
    provided === undefined ||
    amzDate === undefined ||
    signedHeadersText === undefined ||
    expiresText === undefined
  ) {
    throw new S3Error('AuthorizationQueryParametersError', QUERY_PARAMS_REQUIRED);
  }
  if (algorithm !== ALGORITHM) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    );
  }
  const requestMs = parseAmzDate(amzDate);
  if (requestMs === undefined) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`,
    );
  }
  if (!/^-?\d+$/.test(expiresText)) {
    throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Expires should be a number');
  }
  const expires = Number(expiresText);
  if (expires < 0) {
    throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Expires must be non-negative');
  }
  if (expires > MAX_PRESIGNED_EXPIRES) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    );
  }
  const credential = parseCredential(credentialText, 'AuthorizationQueryParametersError');
  if (credential.date !== amzDate.slice(0, 8)) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'Invalid credential date. Date is not the same as X-Amz-Date.',
    );
  }
  const identity = lookupIdentity(credential.accessKeyId, opts);

  const now = (opts.now ?? Date.now)();
  const expiresAt = requestMs + expires * 1000;
  if (requestMs - now > MAX_SKEW_MS) {
    throw new S3Error('AccessDenied', 'Request is not yet valid', {
      'X-Amz-Date': String(requestMs),
      Expires: formatIsoSeconds(expiresAt),
      ServerTime: formatIsoSeconds(now),
    });
  }
  if (now > expiresAt) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expiresText,
      Expires: formatIsoSeconds(expiresAt),
      ServerTime: formatIsoSeconds(now),
    });
  }

  // A presigned URL signs UNSIGNED-PAYLOAD unless the client fixed the hash at signing time.
  const contentSha256 =
    headerValue(req.headers, 'x-amz-content-sha256') ?? get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
  const payload = parsePayloadMode(contentSha256);

  const signedHeaders = parseSignedHeaders(signedHeadersText);
  const scope = `${credential.date}/${credential.region}/s3/aws4_request`;
  const signingKey = (opts.keyCache ?? sharedKeyCache).get(
    identity.secretAccessKey,
    credential.date,
    credential.region,
    's3',
  );
  verifySignature({
    req,
    params,
    excludeParam: 'X-Amz-Signature',
    signedHeaders,
    signedHeadersText,
    payloadHash: contentSha256,
    amzDate,
    scope,
    signingKey,
    provided,
    accessKeyId: credential.accessKeyId,
  });
  checkAllSigned(req, signedHeaders);

  return {
    identity,
    via: 'presigned',
    accessKeyId: credential.accessKeyId,
    signedRegion: credential.region,
    payload,
    signedHeaders,
    contentSha256,
    seedSignature: provided,
    signingKey,
    amzDate,
    scope,
  };
}

/**
 * Who signed this request. Throws S3Error for every malformed, expired or mismatched signature;
 * a request with no credentials at all is the anonymous principal (identity null).
 */
export function authenticate(req: RequestInfo, opts: AuthenticateOptions): AuthContext {
  const authorization = headerValue(req.headers, 'authorization');
  const params = parseQuery(req.rawQuery);
  const has = (name: string) => params.some((p) => p.key === name);
  const presignedV4 = has('X-Amz-Algorithm') || has('X-Amz-Credential') || has('X-Amz-Signature');
  const presignedV2 = has('AWSAccessKeyId') && has('Signature');
  if (authorization !== undefined && (presignedV4 || presignedV2)) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      { ArgumentName: 'Authorization', ArgumentValue: authorization },
    );
  }
  if (authorization !== undefined) return headerAuth(req, params, authorization, opts);
  if (presignedV4) return queryAuth(req, params, opts);
  if (presignedV2) throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM);

  const contentSha256 = headerValue(req.headers, 'x-amz-content-sha256');
  return {
    identity: null,
    via: 'anonymous',
    payload: 'anonymous' satisfies PayloadMode,
    signedHeaders: [],
    ...(contentSha256 === undefined ? {} : { contentSha256 }),
  };
}

/**
 * The error S3 answers when a request is signed for `auth.signedRegion` but the bucket lives in
 * `expected`, worded for header or presigned auth.
 */
export function wrongRegionError(auth: AuthContext, expected: string): S3Error {
  const detail = `the region '${auth.signedRegion ?? ''}' is wrong; expecting '${expected}'`;
  return auth.via === 'presigned'
    ? new S3Error('AuthorizationQueryParametersError', QUERY_MALFORMED + detail, { Region: expected })
    : new S3Error('AuthorizationHeaderMalformed', HEADER_MALFORMED + detail, { Region: expected });
}
