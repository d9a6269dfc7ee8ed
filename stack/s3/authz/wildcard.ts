// IAM's `*` / `?` patterns and policy variables (`${aws:username}`, `${key, 'default'}`,
// `${*}` `${?}` `${$}` for the literal characters). Variables exist only in 2012-10-17
// documents; in 2008-10-17 `${...}` is plain text, as on AWS.
import type { PolicyVersion } from './policy-types.ts';

/** Condition / variable values by normalized key (see normalizeKey). */
export type ContextValues = ReadonlyMap<string, readonly string[]>;

/**
 * Condition key names are case-insensitive, but the tag name after the `/` of
 * `s3:ExistingObjectTag/<tag>` or `s3:RequestObjectTag/<tag>` is not (S3 tag keys are
 * case-sensitive), so only the part before the first `/` is lower-cased.
 */
export function normalizeKey(key: string): string {
  const slash = key.indexOf('/');
  return slash === -1 ? key.toLowerCase() : key.slice(0, slash).toLowerCase() + key.slice(slash);
}

type Piece = { literal: string } | { wildcard: '*' | '?' };

const VARIABLE = /\$\{([^}]*)\}/g;

/**
 * Splits a pattern into literal text and wildcards, substituting variables. Returns null when
 * a variable has no value and no default: AWS then treats the element as not matching.
 */
function pieces(pattern: string, vars: ContextValues | undefined, version: PolicyVersion): Piece[] | null {
  const out: Piece[] = [];
  const pushRaw = (raw: string) => {
    let text = '';
    for (const ch of raw) {
      if (ch === '*' || ch === '?') {
        if (text) out.push({ literal: text });
        text = '';
        out.push({ wildcard: ch });
      } else {
        text += ch;
      }
    }
    if (text) out.push({ literal: text });
  };
  if (version !== '2012-10-17' || !pattern.includes('${')) {
    pushRaw(pattern);
    return out;
  }
  let last = 0;
  for (const m of pattern.matchAll(VARIABLE)) {
    pushRaw(pattern.slice(last, m.index));
    last = m.index + m[0].length;
    const value = resolveVariable(m[1] ?? '', vars);
    if (value === null) return null;
    out.push({ literal: value });
  }
  pushRaw(pattern.slice(last));
  return out;
}

function resolveVariable(body: string, vars: ContextValues | undefined): string | null {
  const inner = body.trim();
  if (inner === '*' || inner === '?' || inner === '$') return inner;
  const comma = inner.indexOf(',');
  const key = normalizeKey((comma === -1 ? inner : inner.slice(0, comma)).trim());
  const found = vars?.get(key);
  // A multi-valued key cannot stand in a single-valued position.
  if (found && found.length === 1) return found[0]!;
  if (comma !== -1) {
    const fallback = /^\s*'([^']*)'\s*$/.exec(inner.slice(comma + 1));
    if (fallback) return fallback[1]!;
  }
  return null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles a pattern to an anchored RegExp, or null when a variable is unresolved. */
export function compilePattern(
  pattern: string,
  options: { ignoreCase?: boolean; vars?: ContextValues; version?: PolicyVersion } = {},
): RegExp | null {
  const parts = pieces(pattern, options.vars, options.version ?? '2012-10-17');
  if (!parts) return null;
  const source = parts
    .map((p) => ('literal' in p ? escapeRegExp(p.literal) : p.wildcard === '*' ? '.*' : '.'))
    .join('');
  return new RegExp(`^${source}$`, options.ignoreCase ? 'si' : 's');
}

/** True when `value` matches the `*` / `?` pattern. */
export function matchesPattern(
  pattern: string,
  value: string,
  options: { ignoreCase?: boolean; vars?: ContextValues; version?: PolicyVersion } = {},
): boolean {
  return compilePattern(pattern, options)?.test(value) ?? false;
}

/** Substitutes variables in a value compared literally; wildcards stay literal text. */
export function substituteVariables(
  value: string,
  vars: ContextValues | undefined,
  version: PolicyVersion,
): string | null {
  if (version !== '2012-10-17' || !value.includes('${')) return value;
  let failed = false;
  const result = value.replace(VARIABLE, (_all, body: string) => {
    const resolved = resolveVariable(body, vars);
    if (resolved === null) failed = true;
    return resolved ?? '';
  });
  return failed ? null : result;
}

export function hasWildcardOrVariable(value: string): boolean {
  return value.includes('*') || value.includes('?') || value.includes('${');
}
