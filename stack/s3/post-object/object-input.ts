// From verified form fields to what PutObject would have received in headers: the key,
// Content-Type, user metadata and the other object headers.

import { isWellFormedXml } from '../../util/xml-parser.ts';
import { S3Error } from '../errors.ts';
import { parseTaggingXml } from '../tags.ts';
import { parseXmlBody } from '../xml.ts';
import { encodeMetaValue } from './rfc2047.ts';
import type { PostObjectInput } from './types.ts';

const MAX_KEY_BYTES = 1024;
const MAX_USER_META = 2048;

/** Standard headers a form may set besides Content-Type. */
const CONTENT_FIELDS = new Set([
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
  'content-md5',
]);

/** x-amz-* fields that authenticate the form rather than describe the object. */
const AUTH_FIELDS = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-signature',
  'x-amz-security-token',
]);

export function objectInput(key: string, values: Map<string, string>): PostObjectInput {
  const size = Buffer.byteLength(key);
  if (size > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', undefined, {
      MaxSizeAllowed: String(MAX_KEY_BYTES),
      Size: String(size),
    });
  }
  const metadata: Record<string, string> = {};
  const headers: Record<string, string> = {};
  let metaSize = 0;
  for (const [name, value] of values) {
    if (name.startsWith('x-amz-meta-')) {
      const k = name.slice('x-amz-meta-'.length);
      metaSize += Buffer.byteLength(k) + Buffer.byteLength(value);
      metadata[k] = encodeMetaValue(value);
    } else if (name === 'acl') {
      headers['x-amz-acl'] = value;
    } else if (name === 'tagging') {
      headers['x-amz-tagging'] = taggingQuery(value);
    } else if (CONTENT_FIELDS.has(name) || (name.startsWith('x-amz-') && !AUTH_FIELDS.has(name))) {
      headers[name] = value;
    }
  }
  if (metaSize > MAX_USER_META) {
    throw new S3Error('MetadataTooLarge', undefined, {
      Size: String(metaSize),
      MaxSizeAllowed: String(MAX_USER_META),
    });
  }
  return { key, contentType: values.get('content-type'), metadata, headers };
}

/**
 * The `tagging` field is a Tagging document; PutObject takes the same tags as a URL query.
 * Well-formed XML with another root is an empty tag set, as S3 answers it.
 */
function taggingQuery(xml: string): string {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml) || !isWellFormedXml(xml)) throw new S3Error('MalformedXML');
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<Tagging[\s>/]/.test(xml)) return '';
  const tags = parseTaggingXml(parseXmlBody(xml, 'Tagging'));
  return tags.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
