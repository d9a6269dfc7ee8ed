export { type CreateStorageOptions, createStorage } from './create-storage.ts';
export {
  assertIdSegment,
  CHAT_PREFIX,
  chatAttachmentKey,
  isPublicKey,
  PUBLIC_READ_PATTERN,
  safeFileName,
  TEAMS_PREFIX,
  teamProfileImageKey,
  teamProfilePrefix,
  VERIFICATION_PREFIX,
  verificationDocumentKey,
} from './key-layout.ts';
export { LOCAL_INTERNAL_DIR, LocalStorage, type LocalStorageOptions } from './local-storage.ts';
export { assertValidKey, assertValidMetadata, MAX_KEY_BYTES } from './object-key.ts';
export { mapS3Error } from './s3-error-map.ts';
export { S3Storage, type S3StorageOptions } from './s3-storage.ts';
export {
  DEFAULT_PRESIGN_EXPIRES_IN,
  type GetResult,
  type ListEntry,
  MAX_PRESIGN_EXPIRES_IN,
  type ObjectInfo,
  type PresignedPost,
  type PresignedPostOptions,
  type PresignedPutOptions,
  type PresignedRequest,
  type PutOptions,
  type PutResult,
  type Storage,
  type StorageBody,
  type StorageCapabilities,
  type VersionEntry,
} from './storage.ts';
export {
  STORAGE_ERRORS,
  StorageError,
  type StorageErrorCode,
  type StorageErrorDetails,
} from './storage-error.ts';
export { assertValidVersionId } from './version-id.ts';
