// The contract between the S3 server and POST Object (browser form uploads): the server hands
// over the request and two callbacks, this module parses, verifies and streams the file.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Identity } from '../identity.ts';

export interface PostObjectRequest {
  /** The bucket the form was posted to (from the path or the virtual host). */
  bucket: string;
  headers: IncomingHttpHeaders;
  /** The raw request body (multipart/form-data). Read, never destroyed. */
  body: Readable;
  /** Milliseconds since the epoch; the policy's `expiration` is compared with it. */
  now: number;
  /** The server's own cap on an object's size, enforced while the file streams. */
  maxBytes: number;
  /**
   * The bucket's region. When set, a credential scoped to another region is refused as S3
   * refuses it (`InvalidArgument`, "the region 'x' is wrong; expecting 'y'").
   * @default undefined (the credential's region is not checked)
   */
  region?: string;
  /**
   * URL of the bucket as the client addressed it, without a trailing slash, e.g.
   * `http://127.0.0.1:9000/photos` or `http://photos.s3.localhost:9000`. The object's
   * `Location` is this plus `/` and the key, percent-encoded as S3 encodes it (`/` as `%2F`).
   * @default `http://${Host header}/${bucket}`
   */
  bucketUrl?: string;
}

/** What the upload will store, as the authorizer and the store see it. */
export interface PostObjectInput {
  /** The key after `${filename}` substitution. */
  key: string;
  /** The `Content-Type` form field (not the file part's own header, which S3 ignores). */
  contentType?: string;
  /** `x-amz-meta-*` fields: names lower-cased without the prefix; non-ASCII values RFC 2047-encoded as S3 stores them. */
  metadata: Record<string, string>;
  /**
   * The other form fields that are object headers, lower-case names as PutObject would get them:
   * cache-control, content-disposition, content-encoding, content-language, expires, content-md5,
   * x-amz-acl (from `acl`), x-amz-tagging (from the `tagging` XML, as a URL query),
   * x-amz-storage-class, x-amz-server-side-encryption*, x-amz-website-redirect-location,
   * x-amz-checksum-*, x-amz-object-lock-*, ...
   */
  headers: Record<string, string>;
}

export interface PostObjectDeps {
  /** Finds the identity of an access key id (stack/s3/identity.ts). */
  lookup(accessKeyId: string): Identity | undefined;
  /**
   * Called once every field is verified, before any byte is stored; throws (for example an
   * S3Error AccessDenied) to refuse. `identity` is null for an anonymous (unsigned) form.
   * @default undefined (no check here: the caller authorizes inside `store`)
   */
  authorize?(input: PostObjectInput & { bucket: string; identity: Identity | null }): void | Promise<void>;
  /**
   * Called once the file part starts streaming and all fields are verified; resolves when the
   * object is stored. The body must be consumed. When a size limit is crossed (or the client
   * vanishes) the body errors instead of ending: the object must then not be committed.
   */
  store(
    input: PostObjectInput & { body: Readable; identity: Identity | null },
  ): Promise<{ etag: string; size: number; versionId?: string }>;
}

export interface PostObjectResponse {
  /** 200, 201, 204 or 303. */
  status: number;
  /** ETag (quoted), Location, and x-amz-version-id when versioned. x-amz-request-id is the server's. */
  headers: Record<string, string>;
  /** The PostResponse XML for 201, otherwise ''. */
  body: string;
  /** Who signed the form; null when it was anonymous. */
  identity: Identity | null;
  key: string;
}
