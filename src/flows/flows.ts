import { randomBytes, randomUUID } from 'node:crypto';
import { EmailError } from '../email/email-error.ts';
import type { EmailSendResult, EmailService } from '../email/email-service.ts';
import { consoleLogger, type Logger } from '../logger.ts';
import {
  assertIdSegment,
  chatAttachmentKey,
  teamProfileImageKey,
  teamProfilePrefix,
  VERIFICATION_PREFIX,
  verificationDocumentKey,
} from '../storage/key-layout.ts';
import type { Storage } from '../storage/storage.ts';
import { assertValidVersionId } from '../storage/version-id.ts';
import {
  CHAT_ATTACHMENT_TYPES,
  checkUpload,
  IMAGE_TYPES,
  type UploadedFile,
  VERIFICATION_DOCUMENT_TYPES,
} from './file-rules.ts';
import { FlowError } from './flow-error.ts';

export interface FlowDeps {
  storage: Storage;
  email: EmailService;
  /** APP_PUBLIC_BASE_URL: invitation accept links start with it. */
  appBaseUrl: string;
  /** @default consoleLogger */
  logger?: Logger;
  /** Ids in keys. @default crypto.randomUUID */
  newId?: () => string;
  /** Invitation tokens. @default 32 random bytes, base64url */
  newToken?: () => string;
}

/** A notification is best effort: the stored document stays even if the email fails, and the caller sees why. */
export type NotificationOutcome = EmailSendResult | { status: 'failed'; error: EmailError };

export interface SubmitVerificationInput {
  teamId: string;
  teamName: string;
  leaderEmail: string;
  document: UploadedFile;
}
export interface SubmitVerificationResult {
  documentKey: string;
  size: number;
  notification: NotificationOutcome;
}

export interface ReviewVerificationInput {
  teamName: string;
  leaderEmail: string;
  /** The key submitVerificationDocument returned; it must still exist. */
  documentKey: string;
}
export interface RejectVerificationInput extends ReviewVerificationInput {
  reason: string;
}

export interface InviteMemberInput {
  teamId: string;
  teamName: string;
  inviteeEmail: string;
  inviterName?: string;
  expiresAt?: Date;
}
export interface InviteMemberResult {
  /** Store it with the invitation: the accept link carries it. */
  token: string;
  acceptUrl: string;
  email: EmailSendResult;
}

export interface AttachFileInput {
  roomId: string;
  file: UploadedFile;
}
export interface AttachFileResult {
  key: string;
  size: number;
  contentType: string;
  fileName: string;
  /** A short-lived download link when the storage can presign (S3); undefined on local disk. */
  downloadUrl?: string;
}

export interface SetProfileImageInput {
  teamId: string;
  image: UploadedFile;
}
export interface SetProfileImageResult {
  key: string;
  size: number;
  publicUrl: string;
  /** Earlier profile images of the team, deleted after the new one was stored. */
  replaced: string[];
}

export interface ProfileImageHistoryInput {
  teamId: string;
}
/** One stored version of a team's profile image (delete markers left out). */
export interface ProfileImageVersion {
  key: string;
  versionId: string;
  lastModified: Date;
  size: number;
  /** This version is what the team's profile shows now. */
  current: boolean;
}

export interface RestoreProfileImageInput {
  teamId: string;
  /** A key from teamProfileImageHistory: under the team's profile prefix. */
  key: string;
  versionId: string;
}

export interface Flows {
  submitVerificationDocument(input: SubmitVerificationInput): Promise<SubmitVerificationResult>;
  approveVerification(input: ReviewVerificationInput): Promise<{ notification: NotificationOutcome }>;
  rejectVerification(input: RejectVerificationInput): Promise<{ notification: NotificationOutcome }>;
  /** The email is the invitation: its failure is thrown (EmailError), not reported. */
  inviteMember(input: InviteMemberInput): Promise<InviteMemberResult>;
  attachFileToChat(input: AttachFileInput): Promise<AttachFileResult>;
  setTeamProfileImage(input: SetProfileImageInput): Promise<SetProfileImageResult>;
  /**
   * The team's stored profile images, newest first, the current one flagged. Earlier images
   * are there only when the bucket keeps versions (a replaced image is otherwise gone for good).
   */
  teamProfileImageHistory(input: ProfileImageHistoryInput): Promise<ProfileImageVersion[]>;
  /**
   * Makes an earlier image (from teamProfileImageHistory) the team's profile image again, then
   * deletes the team's other current images as setTeamProfileImage does.
   */
  restoreTeamProfileImage(input: RestoreProfileImageInput): Promise<SetProfileImageResult>;
}

const MAX_REASON_LENGTH = 2000;
const MAX_TEAM_NAME_LENGTH = 100;
/** @default 7 days: how long a chat download link works. */
const CHAT_LINK_SECONDS = 7 * 24 * 60 * 60;

function requireText(field: string, value: string, max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw new FlowError('INVALID_INPUT', field, 'is required');
  if (text.length > max) throw new FlowError('INVALID_INPUT', field, `is longer than ${max} characters`);
  return text;
}

function requireId(field: string, value: string): string {
  try {
    return assertIdSegment(field, value);
  } catch (error) {
    throw new FlowError('INVALID_INPUT', field, (error as Error).message);
  }
}

/** The original name, kept as S3-safe ASCII metadata (percent-encoded) so Korean names survive. */
function originalNameMetadata(fileName: string): Record<string, string> {
  return { 'original-name': encodeURIComponent(fileName.normalize('NFC')).slice(0, 1024) };
}

/** The app's use cases over the adapters; every dependency is passed in. */
export function createFlows(deps: FlowDeps): Flows {
  const { storage, email } = deps;
  const logger = deps.logger ?? consoleLogger;
  const newId = deps.newId ?? randomUUID;
  const newToken = deps.newToken ?? (() => randomBytes(32).toString('base64url'));
  const appBaseUrl = deps.appBaseUrl.replace(/\/+$/, '');

  async function notify(kind: string, send: () => Promise<EmailSendResult>): Promise<NotificationOutcome> {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof EmailError)) throw error;
      logger.error(`${kind} email failed`, { code: error.code, message: error.message });
      return { status: 'failed', error };
    }
  }

  /** The team keeps one profile image: every other current one goes. */
  async function deleteOtherImages(keys: string[], keep: string): Promise<string[]> {
    const replaced = keys.filter((k) => k !== keep);
    for (const old of replaced) await storage.delete(old);
    return replaced;
  }

  async function requireDocument(documentKey: string): Promise<void> {
    if (typeof documentKey !== 'string' || !documentKey.startsWith(VERIFICATION_PREFIX)) {
      throw new FlowError('INVALID_INPUT', 'documentKey', `must be a key under ${VERIFICATION_PREFIX}`);
    }
    await storage.head(documentKey);
  }

  return {
    async submitVerificationDocument(input) {
      const teamId = requireId('teamId', input.teamId);
      const teamName = requireText('teamName', input.teamName, MAX_TEAM_NAME_LENGTH);
      const { contentType, body } = await checkUpload(
        'document',
        input.document,
        VERIFICATION_DOCUMENT_TYPES,
        storage.maxFileSize,
      );
      const documentKey = verificationDocumentKey(teamId, input.document.fileName, newId());
      const stored = await storage.put(documentKey, body, {
        contentType,
        metadata: { 'team-id': teamId, ...originalNameMetadata(input.document.fileName) },
      });
      const notification = await notify('verification-submitted', () =>
        email.sendVerificationSubmitted(input.leaderEmail, { teamName }),
      );
      return { documentKey, size: stored.size, notification };
    },

    async approveVerification(input) {
      const teamName = requireText('teamName', input.teamName, MAX_TEAM_NAME_LENGTH);
      await requireDocument(input.documentKey);
      const notification = await notify('verification-approved', () =>
        email.sendVerificationApproved(input.leaderEmail, { teamName }),
      );
      return { notification };
    },

    async rejectVerification(input) {
      const teamName = requireText('teamName', input.teamName, MAX_TEAM_NAME_LENGTH);
      const reason = requireText('reason', input.reason, MAX_REASON_LENGTH);
      await requireDocument(input.documentKey);
      const notification = await notify('verification-rejected', () =>
        email.sendVerificationRejected(input.leaderEmail, { teamName, reason }),
      );
      return { notification };
    },

    async inviteMember(input) {
      requireId('teamId', input.teamId);
      const teamName = requireText('teamName', input.teamName, MAX_TEAM_NAME_LENGTH);
      const token = newToken();
      const acceptUrl = `${appBaseUrl}/invitations/accept?token=${encodeURIComponent(token)}`;
      const sent = await email.sendTeamInvitation(input.inviteeEmail, {
        teamName,
        inviterName: input.inviterName?.trim() || undefined,
        acceptUrl,
        expiresAt: input.expiresAt,
      });
      return { token, acceptUrl, email: sent };
    },

    async attachFileToChat(input) {
      const roomId = requireId('roomId', input.roomId);
      const { contentType, body } = await checkUpload(
        'file',
        input.file,
        CHAT_ATTACHMENT_TYPES,
        storage.maxFileSize,
      );
      const key = chatAttachmentKey(roomId, input.file.fileName, newId());
      const stored = await storage.put(key, body, {
        contentType,
        metadata: { 'room-id': roomId, ...originalNameMetadata(input.file.fileName) },
      });
      const downloadUrl = storage.capabilities.presignedUrls
        ? await storage.presignedGetUrl(key, CHAT_LINK_SECONDS)
        : undefined;
      return { key, size: stored.size, contentType, fileName: input.file.fileName, downloadUrl };
    },

    async setTeamProfileImage(input) {
      const teamId = requireId('teamId', input.teamId);
      const { contentType, body } = await checkUpload(
        'image',
        input.image,
        Object.keys(IMAGE_TYPES),
        storage.maxFileSize,
      );
      const previous = await storage.list(teamProfilePrefix(teamId));
      const key = teamProfileImageKey(teamId, IMAGE_TYPES[contentType]!, newId());
      const stored = await storage.put(key, body, { contentType, metadata: { 'team-id': teamId } });
      const replaced = await deleteOtherImages(
        previous.map((entry) => entry.key),
        key,
      );
      return { key, size: stored.size, publicUrl: storage.publicUrl(key), replaced };
    },

    async teamProfileImageHistory(input) {
      const teamId = requireId('teamId', input.teamId);
      const entries = await storage.listVersions(teamProfilePrefix(teamId));
      // Stable: within a key the listing is already newest first (timestamps are whole seconds).
      return entries
        .filter((entry) => !entry.deleteMarker)
        .map((entry) => ({
          key: entry.key,
          versionId: entry.versionId,
          lastModified: entry.lastModified,
          size: entry.size,
          current: entry.isLatest,
        }))
        .sort(
          (a, b) =>
            b.lastModified.getTime() - a.lastModified.getTime() || Number(b.current) - Number(a.current),
        );
    },

    async restoreTeamProfileImage(input) {
      const teamId = requireId('teamId', input.teamId);
      const prefix = teamProfilePrefix(teamId);
      const key = typeof input.key === 'string' ? input.key : '';
      const image = key.slice(prefix.length);
      if (!key.startsWith(prefix) || !/^[^/]+$/.test(image)) {
        throw new FlowError(
          'INVALID_INPUT',
          'key',
          `must be one of the team's profile image keys (${prefix}<image>)`,
        );
      }
      let versionId: string;
      try {
        versionId = assertValidVersionId(input.versionId, key);
      } catch (error) {
        throw new FlowError('INVALID_INPUT', 'versionId', (error as Error).message);
      }
      // Listed before the restore, as setTeamProfileImage does: an image uploaded meanwhile is
      // newer than this restore and must not be deleted by it.
      const current = await storage.list(prefix);
      const restored = await storage.restoreVersion(key, versionId);
      const replaced = await deleteOtherImages(
        current.map((entry) => entry.key),
        key,
      );
      return { key, size: restored.size, publicUrl: storage.publicUrl(key), replaced };
    },
  };
}
