// Object and bucket tag sets, validated as AWS validates them.
import { S3Error } from './errors.ts';
import { block, children, tag, text, type XmlTree } from './xml.ts';

const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export function validateTags(tags: [string, string][], max = 10): [string, string][] {
  if (tags.length > max) throw new S3Error('InvalidTag', `Object tags cannot be greater than ${max}`);
  const seen = new Set<string>();
  for (const [k, v] of tags) {
    if ([...k].length < 1 || [...k].length > 128) {
      throw new S3Error('InvalidTag', 'The TagKey you have provided is too long, max 128', { TagKey: k });
    }
    if ([...v].length > 256)
      throw new S3Error('InvalidTag', 'The TagValue you have provided is too long, max 256', {
        TagKey: k,
        TagValue: v,
      });
    if (!TAG_CHARS.test(k))
      throw new S3Error('InvalidTag', 'The TagKey you have provided is invalid', { TagKey: k });
    if (!TAG_CHARS.test(v))
      throw new S3Error('InvalidTag', 'The TagValue you have provided is invalid', {
        TagKey: k,
        TagValue: v,
      });
    if (k.toLowerCase().startsWith('aws:'))
      throw new S3Error('InvalidTag', 'Your TagKey cannot be prefixed with aws:', { TagKey: k });
    if (seen.has(k))
      throw new S3Error('InvalidTag', 'Cannot provide multiple Tags with the same key', { TagKey: k });
    seen.add(k);
  }
  return tags;
}

/** `x-amz-tagging: k1=v1&k2=v2` (URL query encoding). */
export function parseTagQuery(raw: string): [string, string][] {
  if (raw === '') return [];
  const tags: [string, string][] = [];
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const i = pair.indexOf('=');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replaceAll('+', ' '));
      } catch {
        throw new S3Error(
          'InvalidArgument',
          "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
          {
            ArgumentName: 'x-amz-tagging',
            ArgumentValue: raw,
          },
        );
      }
    };
    tags.push(i < 0 ? [decode(pair), ''] : [decode(pair.slice(0, i)), decode(pair.slice(i + 1))]);
  }
  return validateTags(tags);
}

export function parseTaggingXml(root: XmlTree, max = 10): [string, string][] {
  const set = children(root, 'TagSet')[0];
  if (!set) throw new S3Error('MalformedXML');
  const tags: [string, string][] = children(set, 'Tag').map((t) => {
    const k = text(t, 'Key');
    if (k === undefined) throw new S3Error('MalformedXML');
    return [k, text(t, 'Value') ?? ''];
  });
  return validateTags(tags, max);
}

export function taggingXml(tags: [string, string][]): string {
  return block(
    'TagSet',
    tags.map(([k, v]) => block('Tag', tag('Key', k), tag('Value', v))),
  );
}
