// GET /headers answers like Mailpit (Go's net/mail): canonical keys (Message-Id, Content-Type),
// each with the list of its unfolded values, keys in alphabetical order.
function canonicalKey(key: string): string {
  return key
    .toLowerCase()
    .split('-')
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1) : p))
    .join('-');
}

export function headerMap(raw: Buffer): Record<string, string[]> {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const lines = head.split(/\r?\n/);
  const fields: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += ` ${line.trim()}`;
    else fields.push(line);
  }
  const out: Record<string, string[]> = {};
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const key = canonicalKey(field.slice(0, colon).trim());
    const values = out[key] ?? [];
    values.push(field.slice(colon + 1).trim());
    out[key] = values;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
