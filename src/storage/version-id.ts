import { StorageError } from './storage-error.ts';

/**
 * Version ids are opaque (AWS: 32+ base64-like characters, MinIO: UUIDs, `null` for an object
 * written without versioning), so only what no backend could ever issue is refused here:
 * empty, over 1024 characters, or anything outside printable ASCII without spaces. The store
 * judges the rest (AWS answers a malformed id with 400 InvalidArgument).
 * @throws StorageError INVALID_VERSION_ID
 */
export function assertValidVersionId(versionId: string, key?: string): string {
  if (typeof versionId !== 'string' || !/^[\x21-\x7e]{1,1024}$/.test(versionId)) {
    throw new StorageError(
      'INVALID_VERSION_ID',
      `${JSON.stringify(versionId)} is not a version id${key ? ` of ${JSON.stringify(key)}` : ''}`,
      { key },
    );
  }
  return versionId;
}
