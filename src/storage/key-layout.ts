import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';

/** Verification documents: private, read through presigned URLs only. */
export const VERIFICATION_PREFIX = 'verifications/';
/** Chat attachments: private. */
export const CHAT_PREFIX = 'chat/';
/** Team data; only `teams/{teamId}/profile/` is public (the bucket policy grants anonymous read on `teams/*\/profile/*`). */
export const TEAMS_PREFIX = 'teams/';
/** The bucket policy's public resource pattern, relative to the bucket. */
export const PUBLIC_READ_PATTERN = 'teams/*/profile/*';

const MAX_SAFE_NAME_LENGTH = 100;

/**
 * A file name safe as the last key segment and in a URL: Unicode letters and digits kept (Korean
 * names stay readable), everything else collapsed to "-", length bounded, extension kept.
 */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const ext = extname(base)
    .toLowerCase()
    .replace(/[^.a-z0-9]/g, '');
  const stem = base.slice(0, base.length - extname(base).length);
  const cleanStem = stem
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, MAX_SAFE_NAME_LENGTH - ext.length);
  return `${cleanStem || 'file'}${ext}`;
}

/** An id that is one key segment: letters, digits, "-" and "_" only. */
export function assertIdSegment(what: string, id: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
    throw new TypeError(`${what} must be 1-128 letters, digits, "-" or "_", got ${JSON.stringify(id)}`);
  }
  return id;
}

export function verificationDocumentKey(teamId: string, fileName: string, id: string = randomUUID()): string {
  return `${VERIFICATION_PREFIX}${assertIdSegment('teamId', teamId)}/${id}-${safeFileName(fileName)}`;
}

export function chatAttachmentKey(roomId: string, fileName: string, id: string = randomUUID()): string {
  return `${CHAT_PREFIX}${assertIdSegment('roomId', roomId)}/${id}-${safeFileName(fileName)}`;
}

export function teamProfilePrefix(teamId: string): string {
  return `${TEAMS_PREFIX}${assertIdSegment('teamId', teamId)}/profile/`;
}

/** `ext` without the dot, e.g. "png". */
export function teamProfileImageKey(teamId: string, ext: string, id: string = randomUUID()): string {
  if (!/^[a-z0-9]{1,10}$/.test(ext))
    throw new TypeError(`an image extension is a-z0-9, got ${JSON.stringify(ext)}`);
  return `${teamProfilePrefix(teamId)}${id}.${ext}`;
}

/** Whether the bucket policy makes this key anonymously readable. */
export function isPublicKey(key: string): boolean {
  // S3 policy wildcards match "/" too: "teams/*/profile/*" covers any depth on either side.
  return /^teams\/.*\/profile\/.*$/.test(key);
}
