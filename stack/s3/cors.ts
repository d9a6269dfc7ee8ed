// CORS as S3 applies a bucket's rules: the first rule matching origin (one `*` wildcard),
// method and every requested header (case-insensitive) answers.
import type { CorsRule } from './storage/types.ts';

function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

export function matchCorsRule(
  rules: CorsRule[],
  origin: string,
  method: string,
  requestHeaders: string[] = [],
): CorsRule | undefined {
  return rules.find(
    (r) =>
      r.allowedOrigins.some((o) => wildcardMatch(o, origin)) &&
      r.allowedMethods.includes(method) &&
      requestHeaders.every((h) => r.allowedHeaders.some((a) => wildcardMatch(a, h, true))),
  );
}

/** Response headers for a matched rule (preflight adds the requested headers). */
export function corsHeaders(
  rule: CorsRule,
  origin: string,
  preflightHeaders?: string[],
): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const h: Record<string, string> = {
    'Access-Control-Allow-Origin': anyOrigin ? '*' : origin,
    'Access-Control-Allow-Methods': rule.allowedMethods.join(', '),
    Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!anyOrigin) h['Access-Control-Allow-Credentials'] = 'true';
  if (preflightHeaders?.length) h['Access-Control-Allow-Headers'] = preflightHeaders.join(', ');
  if (rule.exposeHeaders.length) h['Access-Control-Expose-Headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) h['Access-Control-Max-Age'] = String(rule.maxAgeSeconds);
  return h;
}
