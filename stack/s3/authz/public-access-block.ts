// Block Public Access: the four flags, their XML form (Put/GetPublicAccessBlock), the defaults
// AWS gives new buckets (all four on since April 2023), and the ACL half of the rules.
import { isWellFormedXml, lazyXmlParser } from '../../util/xml-parser.ts';
import { S3Error } from '../errors.ts';
import type { PublicAccessBlockFlags } from './policy-types.ts';

export type { PublicAccessBlockFlags } from './policy-types.ts';

export const PUBLIC_ACCESS_BLOCK_FLAGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

/** What CreateBucket sets on a new bucket, as AWS has since April 2023. */
export function defaultPublicAccessBlock(): PublicAccessBlockFlags {
  return {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  };
}

/** No configuration (after DeletePublicAccessBlock) blocks nothing. */
export function effectiveFlags(flags: PublicAccessBlockFlags | undefined): PublicAccessBlockFlags {
  return (
    flags ?? {
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    }
  );
}

const parser = lazyXmlParser({
  parseTagValue: false,
  ignoreAttributes: true,
  trimValues: true,
  htmlEntities: true,
});

/**
 * Parses a PutPublicAccessBlock body. Absent elements are false, as on AWS.
 * @throws S3Error MalformedXML when the document is not a PublicAccessBlockConfiguration
 */
export function parsePublicAccessBlockXml(xml: string): PublicAccessBlockFlags {
  // No DTD, so no entity expansion; and the parser must not guess at broken markup.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml) || !isWellFormedXml(xml)) throw new S3Error('MalformedXML');
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>;
  } catch {
    throw new S3Error('MalformedXML');
  }
  const root = doc.PublicAccessBlockConfiguration;
  if (root === undefined) throw new S3Error('MalformedXML');
  const body = (typeof root === 'object' && root !== null ? root : {}) as Record<string, unknown>;
  const flags = effectiveFlags(undefined);
  for (const [name, value] of Object.entries(body)) {
    if (!(PUBLIC_ACCESS_BLOCK_FLAGS as readonly string[]).includes(name)) throw new S3Error('MalformedXML');
    const text = typeof value === 'string' ? value.toLowerCase() : '';
    if (text !== 'true' && text !== 'false') throw new S3Error('MalformedXML');
    flags[name as keyof PublicAccessBlockFlags] = text === 'true';
  }
  return flags;
}

/** The GetPublicAccessBlock response body. */
export function publicAccessBlockToXml(flags: PublicAccessBlockFlags): string {
  const inner = PUBLIC_ACCESS_BLOCK_FLAGS.map((f) => `<${f}>${flags[f]}</${f}>`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</PublicAccessBlockConfiguration>`
  );
}

const PUBLIC_CANNED_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const PUBLIC_GRANTEE_URIS = [
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
];

/** Whether an `x-amz-acl` value or `x-amz-grant-*` header values grant to the public. */
export function isPublicAcl(request: { cannedAcl?: string; grants?: readonly string[] }): boolean {
  if (request.cannedAcl && PUBLIC_CANNED_ACLS.has(request.cannedAcl.toLowerCase())) return true;
  return (request.grants ?? []).some((g) => PUBLIC_GRANTEE_URIS.some((uri) => g.includes(uri)));
}

/**
 * BlockPublicAcls: PutObject, PutObjectAcl, PutBucketAcl and CreateBucket carrying a public ACL
 * are refused with 403 AccessDenied.
 * @throws S3Error AccessDenied
 */
export function assertAclAllowed(
  flags: PublicAccessBlockFlags | undefined,
  request: { cannedAcl?: string; grants?: readonly string[] },
): void {
  if (effectiveFlags(flags).BlockPublicAcls && isPublicAcl(request)) throw new S3Error('AccessDenied');
}
