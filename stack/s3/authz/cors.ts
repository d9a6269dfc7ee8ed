// Bucket CORS as S3 applies it: the CORSConfiguration document (Put/GetBucketCors), preflight
// matching (first rule whose origin, method and every requested header match), and the headers
// S3 puts on preflight and actual responses. Pure: the server supplies the request's headers.
// An actual request that no rule matches is still served, just without CORS headers; only a
// preflight is refused.
import { isWellFormedXml, lazyXmlParser } from '../../util/xml-parser.ts';
import { S3Error } from '../errors.ts';

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  /** GET, PUT, POST, DELETE, HEAD. */
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

export const MAX_CORS_RULES = 100;
export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';
const RULE_ELEMENTS = new Set([
  'ID',
  'AllowedOrigin',
  'AllowedMethod',
  'AllowedHeader',
  'ExposeHeader',
  'MaxAgeSeconds',
]);

function invalidRequest(message: string): S3Error {
  return new S3Error('InvalidRequest', message);
}

/**
 * Checks rules against S3's limits.
 * @throws S3Error MalformedXML (no rules, too many, a rule without origin or method) or
 *   InvalidRequest (unsupported method, more than one `*`, a wildcard ExposeHeader)
 */
export function validateCorsRules(rules: readonly CorsRule[]): void {
  if (rules.length === 0 || rules.length > MAX_CORS_RULES) throw new S3Error('MalformedXML');
  for (const rule of rules) {
    if (rule.allowedOrigins.length === 0 || rule.allowedMethods.length === 0)
      throw new S3Error('MalformedXML');
    for (const method of rule.allowedMethods) {
      if (!(CORS_METHODS as readonly string[]).includes(method)) {
        throw invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
      }
    }
    for (const origin of rule.allowedOrigins) {
      if (origin.split('*').length > 2) {
        throw invalidRequest(`AllowedOrigin "${origin}" can not have more than one wildcard.`);
      }
    }
    for (const header of rule.allowedHeaders) {
      if (header.split('*').length > 2) {
        throw invalidRequest(`AllowedHeader "${header}" can not have more than one wildcard.`);
      }
    }
    for (const header of rule.exposeHeaders) {
      if (header.includes('*')) {
        throw invalidRequest(
          `ExposeHeader "${header}" contains wildcard. We currently do not support wildcard for ExposeHeader.`,
        );
      }
    }
    if (
      rule.maxAgeSeconds !== undefined &&
      (!Number.isInteger(rule.maxAgeSeconds) || rule.maxAgeSeconds < 0 || rule.maxAgeSeconds > 2 ** 31 - 1)
    ) {
      throw new S3Error('MalformedXML');
    }
  }
}

const LISTS = [
  'CORSRule',
  'AllowedOrigin',
  'AllowedMethod',
  'AllowedHeader',
  'ExposeHeader',
  'ID',
  'MaxAgeSeconds',
];
const parser = lazyXmlParser({
  parseTagValue: false,
  ignoreAttributes: true,
  trimValues: true,
  // Numeric character references (Go's encoder writes `&#34;`).
  htmlEntities: true,
  isArray: (name) => LISTS.includes(name),
});

function texts(value: unknown): string[] {
  if (value === undefined) return [];
  const list = value as unknown[];
  return list.map((v) => {
    if (typeof v !== 'string') throw new S3Error('MalformedXML');
    return v;
  });
}

/**
 * Parses and validates a PutBucketCors body.
 * @throws S3Error MalformedXML / InvalidRequest as AWS answers
 */
export function parseCorsXml(xml: string): CorsRule[] {
  // No DTD, so no entity expansion; and the parser must not guess at broken markup.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml) || !isWellFormedXml(xml)) throw new S3Error('MalformedXML');
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>;
  } catch {
    throw new S3Error('MalformedXML');
  }
  const root = doc.CORSConfiguration;
  if (root === undefined) throw new S3Error('MalformedXML');
  const body = (typeof root === 'object' && root !== null ? root : {}) as Record<string, unknown>;
  if (Object.keys(body).some((k) => k !== 'CORSRule')) throw new S3Error('MalformedXML');
  const rawRules = (body.CORSRule ?? []) as unknown[];
  const rules = rawRules.map((raw): CorsRule => {
    if (typeof raw !== 'object' || raw === null) throw new S3Error('MalformedXML');
    const r = raw as Record<string, unknown>;
    if (Object.keys(r).some((k) => !RULE_ELEMENTS.has(k))) throw new S3Error('MalformedXML');
    const ids = texts(r.ID);
    const maxAges = texts(r.MaxAgeSeconds);
    if (ids.length > 1 || maxAges.length > 1) throw new S3Error('MalformedXML');
    let maxAgeSeconds: number | undefined;
    if (maxAges.length === 1) {
      if (!/^\d+$/.test(maxAges[0]!)) throw new S3Error('MalformedXML');
      maxAgeSeconds = Number(maxAges[0]);
    }
    return {
      id: ids[0],
      allowedOrigins: texts(r.AllowedOrigin),
      allowedMethods: texts(r.AllowedMethod),
      allowedHeaders: texts(r.AllowedHeader),
      exposeHeaders: texts(r.ExposeHeader),
      maxAgeSeconds,
    };
  });
  validateCorsRules(rules);
  return rules;
}

/**
 * Reads the AWS CLI's `put-bucket-cors --cors-configuration` JSON shape
 * (`{"CORSRules": [{"AllowedOrigins": [...], ...}]}`), as `stack/policies/cors.json` holds it.
 */
export function corsFromJson(input: string | object): CorsRule[] {
  const doc = (typeof input === 'string' ? JSON.parse(input) : input) as { CORSRules?: unknown };
  if (!Array.isArray(doc.CORSRules)) throw new S3Error('MalformedXML');
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const rules = doc.CORSRules.map(
    (r: Record<string, unknown>): CorsRule => ({
      id: typeof r.ID === 'string' ? r.ID : undefined,
      allowedOrigins: list(r.AllowedOrigins),
      allowedMethods: list(r.AllowedMethods),
      allowedHeaders: list(r.AllowedHeaders),
      exposeHeaders: list(r.ExposeHeaders),
      maxAgeSeconds: typeof r.MaxAgeSeconds === 'number' ? r.MaxAgeSeconds : undefined,
    }),
  );
  validateCorsRules(rules);
  return rules;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The GetBucketCors response body, values as they were put. */
export function corsToXml(rules: readonly CorsRule[]): string {
  const el = (name: string, values: readonly string[]) =>
    values.map((v) => `<${name}>${escapeXml(v)}</${name}>`).join('');
  const body = rules
    .map(
      (r) =>
        '<CORSRule>' +
        el('AllowedHeader', r.allowedHeaders) +
        el('AllowedMethod', r.allowedMethods) +
        el('AllowedOrigin', r.allowedOrigins) +
        el('ExposeHeader', r.exposeHeaders) +
        el('ID', r.id === undefined ? [] : [r.id]) +
        el('MaxAgeSeconds', r.maxAgeSeconds === undefined ? [] : [String(r.maxAgeSeconds)]) +
        '</CORSRule>',
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</CORSConfiguration>`;
}

/** One `*` matching any run of characters (the empty one included); anchored. */
function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/** Splits `Access-Control-Request-Headers` (comma-separated, optional spaces). */
export function parseRequestHeaders(value: string | readonly string[] | undefined): string[] {
  const raw = Array.isArray(value) ? value.join(',') : ((value as string | undefined) ?? '');
  return raw
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
}

/** The first origin pattern of the rule matching the origin, if any. */
function matchedOrigin(rule: CorsRule, origin: string): string | undefined {
  return rule.allowedOrigins.find((pattern) => wildcardMatch(pattern, origin));
}

function ruleHeaders(rule: CorsRule, pattern: string, origin: string): Record<string, string> {
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': pattern === '*' ? '*' : origin,
    'Access-Control-Allow-Methods': rule.allowedMethods.join(', '),
  };
  if (pattern !== '*') headers['Access-Control-Allow-Credentials'] = 'true';
  if (rule.exposeHeaders.length > 0) headers['Access-Control-Expose-Headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) headers['Access-Control-Max-Age'] = String(rule.maxAgeSeconds);
  headers.Vary = VARY;
  return headers;
}

export interface CorsMatch {
  rule: CorsRule;
  /** Position of the rule in the configuration. */
  index: number;
  /** Response headers to send, exactly as S3 sends them. */
  headers: Record<string, string>;
}

export interface PreflightRequest {
  origin: string;
  /** `Access-Control-Request-Method`. */
  method: string;
  /** `Access-Control-Request-Headers`, raw or split. */
  requestHeaders?: string | readonly string[];
}

/** The first rule allowing this preflight, with the response headers; null when none does. */
export function matchPreflight(rules: readonly CorsRule[], request: PreflightRequest): CorsMatch | null {
  const requested = parseRequestHeaders(request.requestHeaders).map((h) => h.toLowerCase());
  for (const [index, rule] of rules.entries()) {
    const pattern = matchedOrigin(rule, request.origin);
    if (pattern === undefined || !rule.allowedMethods.includes(request.method)) continue;
    const allowed = rule.allowedHeaders.map((h) => h.toLowerCase());
    if (!requested.every((h) => allowed.some((a) => wildcardMatch(a, h)))) continue;
    const headers = ruleHeaders(rule, pattern, request.origin);
    if (requested.length > 0) headers['Access-Control-Allow-Headers'] = requested.join(', ');
    return { rule, index, headers };
  }
  return null;
}

export interface ActualCorsRequest {
  /** `Origin`; without it the request is not cross-origin and gets no CORS headers. */
  origin?: string;
  /** The request's own method. */
  method: string;
  /** `Access-Control-Request-Method` if the client sent one: S3 then matches on it. */
  accessControlRequestMethod?: string;
}

/**
 * CORS headers for an actual (non-OPTIONS) response: empty when there is no Origin, no
 * configuration or no matching rule. Requested headers are not checked on actual requests.
 */
export function corsResponseHeaders(
  rules: readonly CorsRule[] | undefined,
  request: ActualCorsRequest,
): Record<string, string> {
  if (!rules || request.origin === undefined) return {};
  const method = request.accessControlRequestMethod ?? request.method;
  for (const rule of rules) {
    const pattern = matchedOrigin(rule, request.origin);
    if (pattern !== undefined && rule.allowedMethods.includes(method)) {
      return ruleHeaders(rule, pattern, request.origin);
    }
  }
  return {};
}

export type PreflightOutcome =
  | { ok: true; status: 200; headers: Record<string, string> }
  | {
      ok: false;
      status: 400 | 403;
      /** The wire error code: S3 answers `BadRequest` / `AccessForbidden` here. */
      code: 'BadRequest' | 'AccessForbidden';
      message: string;
      /** Extra error elements S3 includes, in order. */
      extra: Record<string, string>;
    };

/**
 * Answers an OPTIONS request entirely (it is never signature-checked): 400 without Origin,
 * 403 when the bucket has no CORS configuration or no rule matches, else 200 with headers.
 */
export function evaluatePreflight(
  rules: readonly CorsRule[] | undefined,
  request: {
    origin?: string;
    method?: string;
    requestHeaders?: string | readonly string[];
    resourceType: 'BUCKET' | 'OBJECT';
  },
): PreflightOutcome {
  if (!request.origin) {
    return {
      ok: false,
      status: 400,
      code: 'BadRequest',
      message: 'Insufficient information. Origin request header needed.',
      extra: {},
    };
  }
  const extra = {
    Method: request.method || 'OPTIONS',
    ResourceType: rules ? request.resourceType : 'BUCKET',
  };
  if (!rules) {
    return {
      ok: false,
      status: 403,
      code: 'AccessForbidden',
      message: 'CORSResponse: CORS is not enabled for this bucket.',
      extra,
    };
  }
  const match = request.method
    ? matchPreflight(rules, {
        origin: request.origin,
        method: request.method,
        requestHeaders: request.requestHeaders,
      })
    : null;
  if (!match) {
    return {
      ok: false,
      status: 403,
      code: 'AccessForbidden',
      message:
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      extra,
    };
  }
  return { ok: true, status: 200, headers: match.headers };
}
