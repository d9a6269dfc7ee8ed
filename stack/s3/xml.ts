// XML in and out. Responses are built as strings by a tiny escaping writer (S3's documents
// are small and flat); request bodies are parsed with fast-xml-parser after refusing any
// DOCTYPE / entity declaration, as S3 does, so no entity expansion can happen.
import { isWellFormedXml, lazyXmlParser } from '../util/xml-parser.ts';
import { S3Error } from './errors.ts';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Escapes text for element content; control characters become numeric references as S3 writes them. */
export function esc(value: string): string {
  return value.replace(/[&<>"\u0000-\u0008\u000b\u000c\u000d\u000e-\u001f]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

export type XmlValue = string | number | boolean | undefined | null;

/** `<name>value</name>`, or nothing when the value is undefined/null. */
export function tag(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  return `<${name}>${esc(String(value))}</${name}>`;
}

/** `<name>...children...</name>` from already-rendered children. */
export function block(name: string, ...children: (string | string[])[]): string {
  return `<${name}>${children.flat().join('')}</${name}>`;
}

/** A whole response document with the XML declaration and S3's namespace on the root. */
export function xmlDocument(root: string, ...children: (string | string[])[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NS}">${children.flat().join('')}</${root}>`;
}

const ARRAY_ELEMENTS = new Set([
  'Object',
  'Part',
  'Tag',
  'CORSRule',
  'AllowedOrigin',
  'AllowedMethod',
  'AllowedHeader',
  'ExposeHeader',
]);

const parser = lazyXmlParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  removeNSPrefix: true,
  processEntities: true,
  // Numeric character references (Go's encoder writes `&#34;` for quotes in ETags).
  htmlEntities: true,
  isArray: (name) => ARRAY_ELEMENTS.has(name),
});

export type XmlTree = { [name: string]: XmlTree | XmlTree[] | string | string[] | undefined };

/**
 * Parses a request body; the named root element must be present. Malformed input, a DOCTYPE
 * or an entity declaration is MalformedXML.
 */
export function parseXmlBody(body: Buffer | string, root: string): XmlTree {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new S3Error('MalformedXML');
  if (text.trim() === '' || !isWellFormedXml(text)) throw new S3Error('MalformedXML');
  let doc: XmlTree;
  try {
    doc = parser.parse(text) as XmlTree;
  } catch {
    throw new S3Error('MalformedXML');
  }
  const node = doc[root];
  if (node === undefined) throw new S3Error('MalformedXML');
  if (typeof node === 'string') return {};
  if (Array.isArray(node)) throw new S3Error('MalformedXML');
  return node;
}

/** Text of a child element, or undefined. Whitespace-only formatting text is ignored by callers. */
export function text(node: XmlTree | undefined, name: string): string | undefined {
  if (!node) return undefined;
  const v = node[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const first = v[0];
    return typeof first === 'string' ? first : undefined;
  }
  // An element with children or an empty element parsed as an object.
  const inner = (v as XmlTree)['#text'];
  return typeof inner === 'string' ? inner : '';
}

/** Children named `name` as a list of element nodes (strings — leaf elements — become `{ '#text': s }`). */
export function children(node: XmlTree | undefined, name: string): XmlTree[] {
  if (!node) return [];
  const v = node[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((item) => (typeof item === 'string' ? { '#text': item } : (item as XmlTree)));
}

/** Leaf values of repeated elements (`<AllowedMethod>GET</AllowedMethod>...`). */
export function texts(node: XmlTree | undefined, name: string): string[] {
  if (!node) return [];
  const v = node[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((item) => (typeof item === 'string' ? item : String((item as XmlTree)['#text'] ?? '')));
}

/** S3's ISO-8601 form with milliseconds: 2009-10-12T17:50:30.000Z. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}
