// HTML character references, decoded as a browser (and Go's html package, which Mailpit uses)
// decodes them. Node ships no entity table; this one holds the named references that occur in
// real mail (typography, currency, Latin letters), numeric ones are all decoded. An unknown
// name is left as written, which is also what a browser shows.
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  zwnj: '\u200c',
  zwj: '\u200d',
  lrm: '\u200e',
  rlm: '\u200f',
  shy: '\u00ad',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  minus: '−',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  lsaquo: '‹',
  rsaquo: '›',
  middot: '·',
  bull: '•',
  dagger: '†',
  Dagger: '‡',
  permil: '‰',
  prime: '′',
  Prime: '″',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  curren: '¤',
  won: '₩',
  deg: '°',
  plusmn: '±',
  times: '×',
  divide: '÷',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
  sup1: '¹',
  sup2: '²',
  sup3: '³',
  micro: 'µ',
  sect: '§',
  para: '¶',
  iexcl: '¡',
  iquest: '¿',
  not: '¬',
  macr: '¯',
  acute: '´',
  uml: '¨',
  cedil: '¸',
  ordf: 'ª',
  ordm: 'º',
  brvbar: '¦',
  larr: '←',
  rarr: '→',
  uarr: '↑',
  darr: '↓',
  harr: '↔',
  hearts: '♥',
  check: '✓',
  star: '☆',
  starf: '★',
  szlig: 'ß',
  AElig: 'Æ',
  aelig: 'æ',
  Oslash: 'Ø',
  oslash: 'ø',
  Aring: 'Å',
  aring: 'å',
  ETH: 'Ð',
  eth: 'ð',
  THORN: 'Þ',
  thorn: 'þ',
  OElig: 'Œ',
  oelig: 'œ',
  Scaron: 'Š',
  scaron: 'š',
  Yuml: 'Ÿ',
};
// The accented Latin letters: a base letter and the accent's name (eacute, Uuml, ntilde...).
const ACCENTS: Record<string, [string, string]> = {
  grave: ['AEIOUaeiou', '\u0300'],
  acute: ['AEIOUYaeiouy', '\u0301'],
  circ: ['AEIOUaeiou', '\u0302'],
  tilde: ['ANOano', '\u0303'],
  uml: ['AEIOUaeiouy', '\u0308'],
  cedil: ['Cc', '\u0327'],
};
for (const [accent, [letters, mark]] of Object.entries(ACCENTS)) {
  for (const letter of letters) NAMED[`${letter}${accent}`] = `${letter}${mark}`.normalize('NFC');
}

/** Windows-1252 for &#128;–&#159;, as the HTML standard maps them. */
const C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function numeric(code: number): string {
  if (code >= 0x80 && code <= 0x9f) return C1[code - 0x80]!;
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(code);
}

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(
    /&(?:#[xX]([0-9a-fA-F]{1,8});?|#(\d{1,9});?|([a-zA-Z][a-zA-Z0-9]{1,31});)/g,
    (all, hex, dec, name) => {
      if (hex !== undefined) return numeric(Number.parseInt(hex, 16));
      if (dec !== undefined) return numeric(Number(dec));
      return NAMED[name] ?? NAMED[name.toLowerCase()] ?? all;
    },
  );
}
