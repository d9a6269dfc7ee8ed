import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { encodeKey, unquote } from './key-encoding.ts';
import {
  assertValidContentType,
  assertValidKey,
  assertValidMetadata,
  assertValidPrefix,
} from './object-key.ts';
import { mapS3Error } from './s3-error-map.ts';
import { listS3Versions, restoreS3Version, type S3VersionsTarget } from './s3-versions.ts';
import { knownSize, SizeLimit, tooLarge, toReadable } from './size-limit.ts';
import {
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
  type VersionEntry,
} from './storage.ts';
import { StorageError } from './storage-error.ts';

export interface S3StorageOptions {
  /** AWS_S3_BUCKET */
  bucket: string;
  /** AWS_S3_REGION @default 'us-east-1' */
  region?: string;
  /** AWS_ENDPOINT_URL_S3; when set, requests use path-style addressing. @default undefined (AWS) */
  endpoint?: string;
  /** @default true exactly when endpoint is set */
  forcePathStyle?: boolean;
  /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; unset, the SDK's default chain (IAM role...) applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** STORAGE_MAX_FILE_SIZE in bytes. */
  maxFileSize: number;
  /** Objects per ListObjectsV2 page, and versions per ListObjectVersions page. @default 1000 */
  listPageSize?: number;
  /** Multipart part size for streamed uploads (S3 minimum 5 MiB). @default 5 MiB */
  partSize?: number;
  /**
   * Limits up to this size are uploaded with one PutObject after the body was read (at most
   * maxFileSize bytes in memory), so an oversize body never starts a multipart upload. Above
   * it, uploads stream as multipart, and aborting a refused one needs s3:AbortMultipartUpload,
   * which the guide's least-privilege policy does not grant.
   * @default 16 MiB (the guide's 10 MB limit fits)
   */
  singlePutMaxBytes?: number;
  /** SDK attempts per request (1 = no retry). @default 3 */
  maxAttempts?: number;
  /**
   * AWS_S3_SSE / AWS_S3_SSE_KMS_KEY_ID: the encryption headers sent on every upload (PutObject,
   * CreateMultipartUpload, presigned PUT), as a bucket policy requiring them expects.
   * @default undefined (no header: the bucket's default encryption applies)
   */
  serverSideEncryption?: { algorithm: 'AES256' | 'aws:kms'; kmsKeyId?: string };
  /** @default 5000 */
  connectionTimeoutMs?: number;
  /** @default 60000 */
  requestTimeoutMs?: number;
  /** Use this client instead of building one (it is not destroyed by close()). */
  client?: S3Client;
}

const FIVE_MIB = 5 * 1024 * 1024;

function assertExpiresIn(expiresIn: number): number {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_EXPIRES_IN) {
    throw new RangeError(`expiresIn must be 1-${MAX_PRESIGN_EXPIRES_IN} seconds, got ${expiresIn}`);
  }
  return expiresIn;
}

/** The fields GetObject and HeadObject answers share. */
function objectInfo(
  key: string,
  out: {
    ContentLength?: number;
    ContentType?: string;
    Metadata?: Record<string, string>;
    LastModified?: Date;
    ETag?: string;
  },
): ObjectInfo {
  return {
    key,
    size: out.ContentLength ?? 0,
    contentType: out.ContentType ?? 'application/octet-stream',
    metadata: { ...(out.Metadata ?? {}) },
    lastModified: out.LastModified ?? new Date(0),
    etag: unquote(out.ETag),
  };
}

/**
 * Storage on S3 (AWS, MinIO, the embedded dev server). When maxFileSize is small enough
 * (singlePutMaxBytes) a body is read through the size limit and sent as one PutObject, so an
 * oversize body never reaches S3 at all. Larger limits stream through the size limit into
 * lib-storage's Upload: a body over maxFileSize fails the read and Upload aborts its multipart
 * upload (AbortMultipartUpload, which the caller's policy must allow) before rejecting; no
 * object is created either way.
 */
export class S3Storage implements Storage {
  readonly kind = 's3' as const;
  readonly capabilities = Object.freeze({ presignedUrls: true, versions: true });
  readonly maxFileSize: number;
  readonly bucket: string;
  readonly region: string;
  readonly client: S3Client;
  readonly #endpoint: string | undefined;
  readonly #ownsClient: boolean;
  readonly #listPageSize: number;
  readonly #partSize: number;
  readonly #singlePutMax: number;
  readonly #sse: { ServerSideEncryption?: 'AES256' | 'aws:kms'; SSEKMSKeyId?: string };
  #closed = false;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.region = options.region ?? 'us-east-1';
    this.maxFileSize = options.maxFileSize;
    this.#endpoint = options.endpoint?.replace(/\/+$/, '');
    this.#listPageSize = options.listPageSize ?? 1000;
    this.#partSize = Math.max(FIVE_MIB, options.partSize ?? FIVE_MIB);
    this.#singlePutMax = options.singlePutMaxBytes ?? 16 * 1024 * 1024;
    const sse = options.serverSideEncryption;
    this.#sse = sse
      ? { ServerSideEncryption: sse.algorithm, ...(sse.kmsKeyId ? { SSEKMSKeyId: sse.kmsKeyId } : {}) }
      : {};
    this.#ownsClient = !options.client;
    this.client =
      options.client ??
      new S3Client({
        region: this.region,
        endpoint: this.#endpoint,
        forcePathStyle: options.forcePathStyle ?? this.#endpoint !== undefined,
        credentials: options.credentials,
        maxAttempts: options.maxAttempts ?? 3,
        // Checksums only where S3 requires them: a presigned PUT must not carry a checksum of an
        // empty body that the browser's real upload then fails to match.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: {
          connectionTimeout: options.connectionTimeoutMs ?? 5_000,
          requestTimeout: options.requestTimeoutMs ?? 60_000,
          // Without it the SDK only logs a warning and the app waits forever on an endpoint that
          // accepts and never answers (the guide's S3 "Connection timeout").
          throwOnRequestTimeout: true,
        },
      });
  }

  #fail(error: unknown, key?: string): StorageError {
    return mapS3Error(error, { bucket: this.bucket, key, region: this.region });
  }

  get #versions(): S3VersionsTarget {
    return {
      client: this.client,
      bucket: this.bucket,
      pageSize: this.#listPageSize,
      sse: this.#sse,
      fail: (error, context = {}) =>
        mapS3Error(error, { bucket: this.bucket, region: this.region, ...context }),
    };
  }

  async put(key: string, body: StorageBody, options: PutOptions): Promise<PutResult> {
    assertValidKey(key);
    const contentType = assertValidContentType(options.contentType);
    const metadata = assertValidMetadata(options.metadata);
    const size = knownSize(body);
    if (size !== undefined && size > this.maxFileSize) throw tooLarge(key, this.maxFileSize, size);
    const limit = new SizeLimit(key, this.maxFileSize);
    const source = toReadable(body);
    source.on('error', (error) => limit.destroy(error));
    source.pipe(limit);
    if (this.maxFileSize <= this.#singlePutMax)
      return this.#putWhole(key, source, limit, contentType, metadata);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: limit,
        ContentType: contentType,
        Metadata: metadata,
        ...this.#sse,
      },
      partSize: this.#partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      const result = await upload.done();
      return { key, size: limit.bytes, etag: unquote(result.ETag), versionId: result.VersionId };
    } catch (error) {
      source.destroy();
      if (limit.errored instanceof StorageError) throw limit.errored;
      throw this.#fail(error, key);
    }
  }

  async #putWhole(
    key: string,
    source: Readable,
    limit: SizeLimit,
    contentType: string,
    metadata: Record<string, string>,
  ): Promise<PutResult> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of limit) chunks.push(chunk as Buffer);
    } catch (error) {
      source.destroy();
      throw limit.errored instanceof StorageError ? limit.errored : this.#fail(error, key);
    }
    const data = Buffer.concat(chunks);
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: data,
          ContentType: contentType,
          Metadata: metadata,
          ...this.#sse,
        }),
      );
      return { key, size: data.length, etag: unquote(out.ETag), versionId: out.VersionId };
    } catch (error) {
      throw this.#fail(error, key);
    }
  }

  async get(key: string): Promise<GetResult> {
    assertValidKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { ...objectInfo(key, out), body: out.Body as Readable };
    } catch (error) {
      throw this.#fail(error, key);
    }
  }

  async head(key: string): Promise<ObjectInfo> {
    assertValidKey(key);
    try {
      return objectInfo(
        key,
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
      );
    } catch (error) {
      const mapped = this.#fail(error, key);
      // A HEAD 404 has no body: it cannot say whether the key or the bucket is missing. Ask.
      if (mapped.code === 'NOT_FOUND') await this.#assertBucket();
      throw mapped;
    }
  }

  async #assertBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const mapped = this.#fail(error);
      throw mapped.code === 'NOT_FOUND' || mapped.httpStatus === 404
        ? new StorageError('BUCKET_NOT_FOUND', `s3://${this.bucket}`, { httpStatus: 404, cause: error })
        : mapped;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.head(key);
      return true;
    } catch (error) {
      if (error instanceof StorageError && error.code === 'NOT_FOUND') return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw this.#fail(error, key);
    }
  }

  async list(prefix: string): Promise<ListEntry[]> {
    assertValidPrefix(prefix);
    const entries: ListEntry[] = [];
    try {
      const pages = paginateListObjectsV2(
        { client: this.client, pageSize: this.#listPageSize },
        { Bucket: this.bucket, Prefix: prefix },
      );
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          entries.push({
            key: object.Key!,
            size: object.Size ?? 0,
            lastModified: object.LastModified ?? new Date(0),
            etag: unquote(object.ETag),
          });
        }
      }
    } catch (error) {
      throw this.#fail(error);
    }
    return entries;
  }

  listVersions(prefix: string): Promise<VersionEntry[]> {
    return listS3Versions(this.#versions, prefix);
  }

  restoreVersion(key: string, versionId: string): Promise<PutResult> {
    return restoreS3Version(this.#versions, key, versionId);
  }

  publicUrl(key: string): string {
    assertValidKey(key);
    if (this.#endpoint) return `${this.#endpoint}/${this.bucket}/${encodeKey(key)}`;
    return `https://${this.bucket}.s3.${this.region}.amazonaws.com/${encodeKey(key)}`;
  }

  async presignedGetUrl(key: string, expiresIn = DEFAULT_PRESIGN_EXPIRES_IN): Promise<string> {
    assertValidKey(key);
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: assertExpiresIn(expiresIn),
    });
  }

  async presignedPutUrl(key: string, options: PresignedPutOptions): Promise<PresignedRequest> {
    assertValidKey(key);
    const contentType = assertValidContentType(options.contentType);
    const expiresIn = assertExpiresIn(options.expiresIn ?? DEFAULT_PRESIGN_EXPIRES_IN);
    const headers: Record<string, string> = { 'content-type': contentType };
    if (options.contentLength !== undefined) {
      if (options.contentLength > this.maxFileSize)
        throw tooLarge(key, this.maxFileSize, options.contentLength);
      headers['content-length'] = String(options.contentLength);
    }
    if (this.#sse.ServerSideEncryption) {
      headers['x-amz-server-side-encryption'] = this.#sse.ServerSideEncryption;
      if (this.#sse.SSEKMSKeyId)
        headers['x-amz-server-side-encryption-aws-kms-key-id'] = this.#sse.SSEKMSKeyId;
    }
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ContentType: contentType,
      ContentLength: options.contentLength,
      ...this.#sse,
    });
    const url = await getSignedUrl(this.client, command, {
      expiresIn,
      // Signed, so the uploader cannot change them (S3 answers 403 SignatureDoesNotMatch).
      signableHeaders: new Set(Object.keys(headers)),
      // S3 reads the encryption from headers, so the uploader sends them rather than the query.
      unhoistableHeaders: new Set(
        Object.keys(headers).filter((h) => h.startsWith('x-amz-server-side-encryption')),
      ),
    });
    return { method: 'PUT', url, headers, expiresAt: new Date(Date.now() + expiresIn * 1000) };
  }

  async presignedPost(key: string, options: PresignedPostOptions): Promise<PresignedPost> {
    assertValidKey(key);
    const contentType = assertValidContentType(options.contentType);
    const expiresIn = assertExpiresIn(options.expiresIn ?? DEFAULT_PRESIGN_EXPIRES_IN);
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: key,
      Expires: expiresIn,
      Fields: { 'Content-Type': contentType },
      Conditions: [
        ['content-length-range', 0, this.maxFileSize],
        ['eq', '$Content-Type', contentType],
      ],
    });
    return { url, fields, maxSize: this.maxFileSize, expiresAt: new Date(Date.now() + expiresIn * 1000) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClient) this.client.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
