// Glob patterns for keys, buckets and addresses: `*` is any run of characters (slashes
// included, as object keys are flat names), `?` one character; everything else is literal.
export function globToRegExp(pattern: string, caseInsensitive = false): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

export function globMatches(
  pattern: string | undefined,
  value: string | undefined,
  caseInsensitive = false,
): boolean {
  if (pattern === undefined) return true;
  if (value === undefined) return false;
  return globToRegExp(pattern, caseInsensitive).test(value);
}
