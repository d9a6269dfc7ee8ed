// The contract between the S3 server's request handling and its "bytes in" pipeline:
// who signed the request (SigV4, header or presigned) and the decoded, verified body.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Identity } from '../identity.ts';
import type { SigningKeyCache } from './signing-key.ts';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256' | 'CRC64NVME';

/** How the payload is protected, from `x-amz-content-sha256` (or its absence). */
export type PayloadMode =
  | 'signed' // hex SHA-256 of the whole body
  | 'unsigned' // UNSIGNED-PAYLOAD
  | 'streaming-signed' // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  | 'streaming-signed-trailer' // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
  | 'streaming-unsigned-trailer' // STREAMING-UNSIGNED-PAYLOAD-TRAILER
  | 'anonymous'; // no signature at all

export interface RequestInfo {
  method: string;
  /** The path exactly as sent on the request line, percent-encoding preserved. */
  rawPath: string;
  /** The query string exactly as sent, without the leading `?` ('' when none). */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /**
   * `req.rawHeaders`: each occurrence of a repeated header, which SigV4 joins with ','
   * (Node's `headers` joins them with ', '). Optional; pass it when you have it.
   */
  rawHeaders?: string[];
}

export interface AuthContext {
  /** null is the anonymous principal. */
  identity: Identity | null;
  via: 'header' | 'presigned' | 'anonymous';
  accessKeyId?: string;
  /** The region of the credential scope the client signed for; the server compares it with the bucket's. */
  signedRegion?: string;
  payload: PayloadMode;
  /** Lower-case names from SignedHeaders. */
  signedHeaders: string[];
  /** `x-amz-content-sha256` as sent, for the `s3:x-amz-content-sha256` policy key. */
  contentSha256?: string;
  /** The seed signature and signing key material chunk signatures chain from (streaming-signed modes). */
  seedSignature?: string;
  signingKey?: Buffer;
  /** `yyyymmddThhmmssZ` and the scope string, needed to verify chunk signatures. */
  amzDate?: string;
  scope?: string;
}

export interface AuthenticateOptions {
  lookup(accessKeyId: string): Identity | undefined;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** Derived signing keys; one per server keeps signing cheap. @default a shared 64-entry cache */
  keyCache?: SigningKeyCache;
}

export interface IngestOptions {
  auth: AuthContext;
  headers: IncomingHttpHeaders;
  /** Decoded bytes allowed; one more → the body errors with EntityTooLarge. */
  maxBytes: number;
  /** Compute this checksum even when the client declared none (CopyObject keeps the source's algorithm). */
  extraAlgorithm?: ChecksumAlgorithm;
}

export interface IngestResult {
  size: number;
  md5Hex: string;
  /** The checksum the client declared (header or trailer) and we verified, base64 as AWS shows it. */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  /** Every checksum computed, base64 (includes extraAlgorithm and the declared one). */
  computed: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface Ingest {
  /**
   * The decoded bytes. It ends only after every check passed (payload hash, chunk
   * signatures, trailer signature, checksums, Content-MD5, declared lengths); any failure
   * makes it error with an S3Error instead of ending, so a store never commits bad bytes.
   */
  body: Readable;
  /** Available once `body` has ended. */
  result(): IngestResult;
}
