// The S3 request log as the console shows it: each request with the authorization decisions
// taken for it (and what decided them), so a denied request answers "why?" by itself.
import type { DecisionFilter, DecisionRecord } from '../s3/authz/decision-log.ts';
import type { RequestLogEntry } from '../s3/options.ts';

export interface ConsoleDecision {
  action: string;
  resource: string;
  allowed: boolean;
  reason: string;
  decidedBy?: DecisionRecord['decidedBy'];
}

export interface ConsoleRequest {
  id: string;
  /** ISO 8601. */
  time: string;
  method: string;
  path: string;
  /** Identity name, or `anonymous`. */
  principal: string;
  operation: string;
  bucket?: string;
  key?: string;
  status: number;
  errorCode?: string;
  durationMs: number;
  /** Refused for lack of permission or credentials (403, or a decision that denied). */
  denied: boolean;
  /** Made by the console itself (its root reads while you browse). */
  console: boolean;
  decisions: ConsoleDecision[];
  /** Why, when no policy decision explains the failure (bad keys, bad signature, clock skew). */
  explanation?: string;
}

/** The failures decided before any policy is consulted, in words that name the fix. */
const EXPLANATIONS: Record<string, string> = {
  InvalidAccessKeyId:
    'The access key id is not one of the stack’s identities (check AWS_ACCESS_KEY_ID against .env.local, or the key was deactivated).',
  SignatureDoesNotMatch:
    'The request was signed with a different secret key, or the client changed the request after signing (check AWS_SECRET_ACCESS_KEY; a proxy rewriting the Host header causes this too).',
  RequestTimeTooSkewed: 'The client clock is more than 15 minutes away from the server’s.',
  AuthorizationHeaderMalformed:
    'The Authorization header is malformed or names another region (the credential scope must use the bucket’s region).',
  ExpiredToken: 'The presigned URL or token has expired.',
  AccessDenied: 'Access denied.',
  AllAccessDisabled: 'All access to this object has been disabled.',
};

export type DecisionSource = (filter?: DecisionFilter) => DecisionRecord[];

export function toConsoleRequest(
  entry: RequestLogEntry,
  decisions: DecisionRecord[] | undefined,
  isOwn: (id: string) => boolean,
): ConsoleRequest {
  const detailed = (decisions ?? []).filter((d) => d.requestId === entry.id);
  const merged: ConsoleDecision[] = entry.decisions.map((d, i) => {
    const match =
      detailed.find((r, j) => j >= i && r.action === d.action && r.resource === d.resource) ??
      detailed.find((r) => r.action === d.action && r.resource === d.resource);
    return { ...d, decidedBy: match?.decidedBy };
  });
  // Decisions the authorizer logged that the entry does not carry (e.g. a hook that only logs).
  for (const r of detailed) {
    if (!merged.some((m) => m.action === r.action && m.resource === r.resource)) {
      merged.push({
        action: r.action,
        resource: r.resource,
        allowed: r.allowed,
        reason: r.reason,
        decidedBy: r.decidedBy,
      });
    }
  }
  const deniedByPolicy = merged.some((d) => !d.allowed);
  const denied = entry.status === 403 || deniedByPolicy;
  const explanation =
    entry.errorCode && !(deniedByPolicy && entry.errorCode === 'AccessDenied')
      ? EXPLANATIONS[entry.errorCode]
      : undefined;
  return {
    id: entry.id,
    time: new Date(entry.time).toISOString(),
    method: entry.method,
    path: entry.path,
    principal: entry.principal ?? 'anonymous',
    operation: entry.operation,
    bucket: entry.bucket,
    key: entry.key,
    status: entry.status,
    errorCode: entry.errorCode,
    durationMs: entry.durationMs,
    denied,
    console: isOwn(entry.id),
    decisions: merged,
    explanation,
  };
}

export interface RequestFilter {
  /** Free text over principal, operation, bucket, key, status, error code and reasons. */
  q?: string;
  principal?: string;
  bucket?: string;
  operation?: string;
  denied?: boolean;
  /** Include the console's own requests. @default false */
  includeConsole?: boolean;
  /** Newest N after filtering. @default 500 */
  limit?: number;
}

export function filterRequests(entries: ConsoleRequest[], f: RequestFilter): ConsoleRequest[] {
  const q = f.q?.trim().toLowerCase();
  const kept = entries.filter((e) => {
    if (!f.includeConsole && e.console) return false;
    if (f.denied !== undefined && e.denied !== f.denied) return false;
    if (f.principal && e.principal !== f.principal) return false;
    if (f.bucket && e.bucket !== f.bucket) return false;
    if (f.operation && e.operation !== f.operation) return false;
    if (q) {
      const hay = [
        e.principal,
        e.operation,
        e.bucket ?? '',
        e.key ?? '',
        String(e.status),
        e.errorCode ?? '',
        ...e.decisions.map((d) => d.reason),
      ]
        .join('\n')
        .toLowerCase();
      if (!hay.includes(q)) return false;
    }
    return true;
  });
  const limit = f.limit ?? 500;
  return kept.slice(Math.max(0, kept.length - limit)).reverse();
}
