// S3 lists keys in UTF-8 binary order. JavaScript compares UTF-16 code units, which
// disagrees for characters above U+FFFF versus U+E000–U+FFFF; comparing code points
// gives exactly the UTF-8 byte order.

export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    // A surrogate (code point ≥ U+10000) sorts after any BMP unit.
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}

/** Index of the first element ≥ key (or > key when `after`) in a sorted array. */
export function lowerBound(sorted: readonly string[], key: string, after = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(sorted[mid]!, key);
    if (c < 0 || (after && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
