// `type; a=b; c="d"` header values: the request's Content-Type (for its boundary) and each
// part's Content-Disposition. A quoted value runs to the next quote with no backslash escapes,
// because browsers send Windows paths (`C:\dir\file.txt`) in `filename` unescaped and escape
// quotes as %22 instead.

export interface ParsedHeader {
  /** Lower-cased, e.g. `multipart/form-data`, `form-data`. */
  type: string;
  /** Parameter names lower-cased; values as sent (quotes removed). */
  params: Map<string, string>;
}

export function parseHeaderParams(value: string): ParsedHeader {
  const params = new Map<string, string>();
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  let i = semi < 0 ? value.length : semi + 1;
  while (i < value.length) {
    while (i < value.length && (value[i] === ' ' || value[i] === '\t' || value[i] === ';')) i++;
    const eq = value.indexOf('=', i);
    if (eq < 0) break;
    const name = value.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (value[i] === ' ' || value[i] === '\t') i++;
    let v: string;
    if (value[i] === '"') {
      const close = value.indexOf('"', i + 1);
      v = close < 0 ? value.slice(i + 1) : value.slice(i + 1, close);
      i = close < 0 ? value.length : close + 1;
      const next = value.indexOf(';', i);
      i = next < 0 ? value.length : next + 1;
    } else {
      const next = value.indexOf(';', i);
      v = (next < 0 ? value.slice(i) : value.slice(i, next)).trim();
      i = next < 0 ? value.length : next + 1;
    }
    if (name !== '' && !params.has(name)) params.set(name, v);
  }
  return { type, params };
}
