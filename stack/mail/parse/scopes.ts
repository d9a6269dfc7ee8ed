/** The header a test sets to put a message into its own scope. */
export const SCOPE_HEADER = 'x-test-scope';

/** `leader+t42@example.com` → `t42`; no tag → undefined. */
export function plusTag(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  const plus = local.indexOf('+');
  if (plus < 0 || plus === local.length - 1) return undefined;
  return local.slice(plus + 1);
}

/**
 * A message belongs to every scope it names: the SMTP username it was sent as, each plus-address
 * tag of its envelope recipients, and its X-Test-Scope header values. A test asks for one scope
 * and sees only its own mail even while other tests send in parallel.
 */
export function deriveScopes(input: { user?: string; rcptTo: string[]; headerScopes: string[] }): string[] {
  const scopes = new Set<string>();
  if (input.user) scopes.add(input.user);
  for (const rcpt of input.rcptTo) {
    const tag = plusTag(rcpt);
    if (tag) scopes.add(tag);
  }
  for (const h of input.headerScopes) {
    for (const part of h.split(',')) {
      const s = part.trim();
      if (s) scopes.add(s);
    }
  }
  return [...scopes];
}
