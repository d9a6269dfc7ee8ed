// Whether a bucket policy is "public" in AWS's Block Public Access sense: some Allow statement
// grants a wildcard principal without a condition that pins the caller down
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).

const RESTRICTING_KEYS = [
  'aws:sourceip',
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:userid',
  's3:dataaccesspointaccount',
  's3:dataaccesspointarn',
];

function wildcardPrincipal(p: unknown): boolean {
  if (p === '*') return true;
  if (p && typeof p === 'object') {
    const aws = (p as Record<string, unknown>).AWS;
    const list = Array.isArray(aws) ? aws : [aws];
    return list.includes('*');
  }
  return false;
}

function restricted(condition: unknown): boolean {
  if (!condition || typeof condition !== 'object') return false;
  for (const [op, kv] of Object.entries(condition as Record<string, unknown>)) {
    if (!kv || typeof kv !== 'object') continue;
    const neg = /Not|IfExists/.test(op);
    for (const [k, v] of Object.entries(kv as Record<string, unknown>)) {
      if (neg) continue;
      const vals = Array.isArray(v) ? v : [v];
      if (
        RESTRICTING_KEYS.includes(k.toLowerCase()) &&
        !vals.some((x) => typeof x === 'string' && x.includes('*'))
      )
        return true;
    }
  }
  return false;
}

export function isPublicPolicy(json: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return false;
  }
  const stmts = (doc as { Statement?: unknown }).Statement;
  const list = Array.isArray(stmts) ? stmts : [stmts];
  return list.some((s) => {
    if (!s || typeof s !== 'object') return false;
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow') return false;
    if (!wildcardPrincipal(st.Principal) && st.NotPrincipal === undefined) return false;
    return !restricted(st.Condition);
  });
}
