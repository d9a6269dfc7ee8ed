// The account's canonical user, as S3 shows it in Owner / Initiator elements.
import { createHash } from 'node:crypto';
import { ACCOUNT_ID } from './identity.ts';
import { block, tag } from './xml.ts';

export const CANONICAL_ID = createHash('sha256').update(`canonical-user:${ACCOUNT_ID}`).digest('hex');

export function ownerXml(name = 'Owner', displayName = 'root'): string {
  return block(name, tag('ID', CANONICAL_ID), tag('DisplayName', displayName));
}
