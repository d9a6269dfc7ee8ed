import type { Readable } from 'node:stream';

export type StorageBody = Buffer | Uint8Array | Readable;

export interface PutOptions {
  /** MIME type stored with the object and served back on get. */
  contentType: string;
  /** User metadata: keys `[a-z0-9-_]`, values printable ASCII (S3 sends them as HTTP headers). */
  metadata?: Record<string, string>;
}

export interface PutResult {
  key: string;
  size: number;
  /** The object's entity tag without quotes (MD5 hex for single-part uploads). */
  etag?: string;
  /** The version written, when the store keeps versions (`null` or absent otherwise). */
  versionId?: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  contentType: string;
  metadata: Record<string, string>;
  lastModified: Date;
  etag?: string;
}

export interface GetResult extends ObjectInfo {
  body: Readable;
}

export interface ListEntry {
  key: string;
  size: number;
  lastModified: Date;
  etag?: string;
}

/** One version or delete marker of a key, as S3's ListObjectVersions reports it. */
export interface VersionEntry {
  key: string;
  /** Opaque; `null` for an object written while the bucket never had (or had suspended) versioning. */
  versionId: string;
  /** The key's newest entry: the current object, or (deleteMarker) the key reads as deleted. */
  isLatest: boolean;
  /** A delete marker hides the older versions below it; it has no body (size 0). */
  deleteMarker: boolean;
  lastModified: Date;
  size: number;
  etag?: string;
}

export interface PresignedPutOptions {
  /** The Content-Type the uploader must send (it is signed). */
  contentType: string;
  /** Seconds the URL stays valid. @default 900 */
  expiresIn?: number;
  /** When given, the exact Content-Length the uploader must send (signed; at most maxFileSize). */
  contentLength?: number;
}

/** A request a browser or client performs as-is: method, URL and the headers it must send. */
export interface PresignedRequest {
  method: 'GET' | 'PUT';
  url: string;
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface PresignedPostOptions {
  contentType: string;
  /** Seconds the policy stays valid. @default 900 */
  expiresIn?: number;
}

/** An HTML-form upload: POST `url` as multipart/form-data with `fields` first and the file last. */
export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
  /** The largest file the policy accepts (content-length-range upper bound). */
  maxSize: number;
  expiresAt: Date;
}

export interface StorageCapabilities {
  /** presignedGetUrl / presignedPutUrl / presignedPost return URLs a plain HTTP client can use. */
  presignedUrls: boolean;
  /**
   * The store can keep earlier versions (S3, once the bucket has versioning enabled). False:
   * listVersions reports each current object as its single `null` version.
   */
  versions: boolean;
}

/** The app's file storage: S3 in production, local disk (or S3 against the dev stack) in development. */
export interface Storage {
  readonly kind: 'local' | 's3';
  /** STORAGE_MAX_FILE_SIZE: bodies larger than this are refused while streaming (TOO_LARGE). */
  readonly maxFileSize: number;
  readonly capabilities: StorageCapabilities;
  /** Stores the body under key, replacing any object there. Too large: nothing is left behind. */
  put(key: string, body: StorageBody, options: PutOptions): Promise<PutResult>;
  /** @throws StorageError NOT_FOUND */
  get(key: string): Promise<GetResult>;
  /** @throws StorageError NOT_FOUND */
  head(key: string): Promise<ObjectInfo>;
  exists(key: string): Promise<boolean>;
  /** Removes the object; removing a missing object is not an error (as on S3). */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with prefix (all pages), in key order. */
  list(prefix: string): Promise<ListEntry[]>;
  /**
   * Every version and delete marker under prefix (all pages): by key, each key's newest first.
   * Without versioning, each current object is its single `null` version.
   * @throws StorageError ACCESS_DENIED without s3:ListBucketVersions
   */
  listVersions(prefix: string): Promise<VersionEntry[]>;
  /**
   * Makes versionId the key's current version again by copying it onto the key (the way S3
   * restores a version), also when the key currently reads as deleted (a delete marker is
   * latest). Already current: nothing is written and its info is returned.
   * @throws StorageError NOT_FOUND (no such version, or it is a delete marker),
   *   INVALID_VERSION_ID, ACCESS_DENIED without s3:GetObjectVersion
   */
  restoreVersion(key: string, versionId: string): Promise<PutResult>;
  /** The URL of an object under a public prefix (anonymous read). */
  publicUrl(key: string): string;
  /** @throws StorageError UNSUPPORTED when capabilities.presignedUrls is false */
  presignedGetUrl(key: string, expiresIn?: number): Promise<string>;
  /** @throws StorageError UNSUPPORTED when capabilities.presignedUrls is false */
  presignedPutUrl(key: string, options: PresignedPutOptions): Promise<PresignedRequest>;
  /** Browser upload form limited to maxFileSize. @throws StorageError UNSUPPORTED when capabilities.presignedUrls is false */
  presignedPost(key: string, options: PresignedPostOptions): Promise<PresignedPost>;
  /** Releases sockets / handles; safe to call twice. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** @default 900 seconds (15 minutes) */
export const DEFAULT_PRESIGN_EXPIRES_IN = 900;
/** SigV4 presigned URLs cannot outlive 7 days. */
export const MAX_PRESIGN_EXPIRES_IN = 604_800;
