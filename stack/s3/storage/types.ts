// What the S3 server stores, independent of where: bucket records with their configs,
// object records pointing at immutable blobs, and in-progress multipart uploads.
import type { Readable } from 'node:stream';
import type { CorsRule } from '../authz/cors.ts';
import type { PublicAccessBlockFlags as PublicAccessBlock } from '../authz/policy-types.ts';
import type { ChecksumAlgorithm } from '../ingest/types.ts';
import type { LifecycleRule } from '../lifecycle/types.ts';
import type { BucketEncryption } from '../sse.ts';

export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  /** base64, with `-N` for a composite multipart checksum. */
  value: string;
  type: ChecksumType;
}

/** Bucket subresources kept per bucket. Values are stored as parsed by their operation. */
export interface BucketConfigs {
  /** Policy JSON text as put (AWS returns it as stored). */
  policy?: string;
  cors?: CorsRule[];
  publicAccessBlock?: PublicAccessBlock;
  tagging?: [string, string][];
  /** Default encryption; absent means SSE-S3, as every AWS bucket since January 2023. */
  encryption?: BucketEncryption;
  /** Absent: versioning was never enabled (a bucket can never go back to that state). */
  versioning?: 'Enabled' | 'Suspended';
  /** Lifecycle rules as parsed by PutBucketLifecycleConfiguration. */
  lifecycle?: LifecycleRule[];
}

// The shapes are the access-control engine's own, so stored configs need no conversion.
export type { CorsRule } from '../authz/cors.ts';
export type { PublicAccessBlockFlags as PublicAccessBlock } from '../authz/policy-types.ts';

export interface BucketRecord {
  name: string;
  region: string;
  /** ms since epoch */
  created: number;
  /** Name of the identity that created it (the account owns it). */
  owner: string;
  configs: BucketConfigs;
}

/** A stored run of bytes; objects are one or more blobs (multipart objects keep their parts). */
export interface BlobRef {
  id: string;
  size: number;
  /**
   * Small blobs may travel inside their record instead of a file of their own (disk storage):
   * their bytes, which go and come with the record.
   */
  inline?: Buffer;
}

export interface ObjectPart {
  partNumber: number;
  size: number;
  etag: string;
  checksum?: string;
}

export interface ObjectRecord {
  key: string;
  /** Absent for the `null` version (unversioned and versioning-suspended writes). */
  versionId?: string;
  /** A delete marker: no bytes, size 0, the latest "version" after a versioned DELETE. */
  deleteMarker?: boolean;
  size: number;
  /** Unquoted: hex MD5, or `hex-N` for multipart. */
  etag: string;
  /** ms since epoch, whole seconds (S3 shows .000Z). */
  lastModified: number;
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** Lower-cased names without the `x-amz-meta-` prefix. */
  userMeta: Record<string, string>;
  tags: [string, string][];
  checksum?: StoredChecksum;
  sse?: string;
  /** KMS key ARN for aws:kms / aws:kms:dsse. */
  sseKmsKeyId?: string;
  bucketKeyEnabled?: boolean;
  /** x-amz-server-side-encryption-context as sent (base64 JSON). */
  sseContext?: string;
  storageClass: string;
  /** Present for multipart objects: part boundaries for `partNumber` reads and attributes. */
  parts?: ObjectPart[];
  blobs: BlobRef[];
}

export interface UploadPartRecord {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: number;
  /** The part's checksums, base64, by algorithm. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  blob: BlobRef;
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  initiator: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
  /** The object's record minus what Complete computes. */
  meta: Omit<ObjectRecord, 'size' | 'etag' | 'lastModified' | 'checksum' | 'parts' | 'blobs'>;
  parts: Record<number, UploadPartRecord>;
}

/** Where blobs live. Writes are durable when the promise resolves; ids are never reused. */
export interface BlobBackend {
  /**
   * `sizeHint` is the length the client declared (already checked against the size limit);
   * a backend may use it to size its buffer, never trust it as the blob's size.
   */
  write(body: Readable, sizeHint?: number): Promise<BlobRef>;
  /** Bytes [start, end] inclusive of one blob. */
  read(blob: BlobRef, start: number, end: number): Readable;
  /**
   * The same bytes when the backend already holds them in memory (memory blobs, disk-inline
   * blobs), else undefined: a response can then be one `end(bytes)` instead of a stream.
   */
  bytes?(blob: BlobRef, start: number, end: number): Buffer | undefined;
  delete(id: string): Promise<void>;
  /** Every blob id present (used to collect blobs orphaned by a crash). */
  list(): Promise<string[]>;
}

/** Every version of one key, newest first (index 0 is the latest, possibly a delete marker). */
export interface KeyVersions {
  bucket: string;
  key: string;
  versions: ObjectRecord[];
}

export interface LoadedState {
  buckets: BucketRecord[];
  objects: KeyVersions[];
  uploads: UploadRecord[];
}

/** Where records live. Each save is atomic: after a crash either the old or the new record is there. */
export interface MetaBackend {
  load(): Promise<LoadedState>;
  saveBucket(rec: BucketRecord): Promise<void>;
  deleteBucket(name: string): Promise<void>;
  /** Replaces everything stored for one key in one atomic write; no versions removes the key. */
  saveKey(bucket: string, key: string, versions: ObjectRecord[]): Promise<void>;
  saveUpload(rec: UploadRecord): Promise<void>;
  deleteUpload(uploadId: string): Promise<void>;
}

export interface Backends {
  blobs: BlobBackend;
  meta: MetaBackend;
  /** Removes leftovers of interrupted writes (temp files). */
  cleanup?(): Promise<void>;
  /** Finishes what was deferred (a disk store's record log) and releases files. */
  close?(): Promise<void>;
}
