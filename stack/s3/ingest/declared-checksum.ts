// Which checksum a request declares for its body, and where the value comes from: an
// x-amz-checksum-<alg> header, or a trailer named by x-amz-trailer. Validated before any byte of
// the body is read. Checksums named in a presigned URL's query string are deliberately not
// consulted: S3 ignores them (the AWS SDK signs the CRC32 of an empty body into such URLs).
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../errors.ts';
import {
  algorithmOfHeader,
  checksumHeaderName,
  isValidChecksumValue,
  parseChecksumAlgorithm,
} from './checksum.ts';
import { headerValue } from './request-headers.ts';
import type { ChecksumAlgorithm } from './types.ts';

export interface DeclaredChecksum {
  algorithm: ChecksumAlgorithm;
  /** The value from the header; undefined when it arrives in the trailer. */
  value?: string;
  /** Lower-case trailer name (`x-amz-checksum-crc32`) when the value is a trailer. */
  trailer?: string;
}

const MULTIPLE = 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.';

function invalidRequest(message: string): S3Error {
  return new S3Error('InvalidRequest', message);
}

/**
 * The declared checksum, or undefined. `trailers` says whether the body's framing carries
 * trailers at all (STREAMING-*-TRAILER).
 */
export function declaredChecksum(
  headers: IncomingHttpHeaders,
  trailers: boolean,
): DeclaredChecksum | undefined {
  let declared: DeclaredChecksum | undefined;
  for (const name of Object.keys(headers)) {
    const algorithm = algorithmOfHeader(name);
    if (!algorithm) continue;
    if (declared) throw invalidRequest(MULTIPLE);
    const value = headerValue(headers, name)!.trim();
    if (!isValidChecksumValue(algorithm, value)) {
      throw invalidRequest(`Value for ${checksumHeaderName(algorithm)} header is invalid.`);
    }
    declared = { algorithm, value };
  }

  const trailerHeader = headerValue(headers, 'x-amz-trailer');
  if (trailerHeader !== undefined && trailerHeader.trim() !== '') {
    for (const raw of trailerHeader.split(',')) {
      const name = raw.trim().toLowerCase();
      if (name === '') continue;
      const algorithm = algorithmOfHeader(name);
      if (!algorithm || !trailers) {
        throw invalidRequest('The value specified in the x-amz-trailer header is not supported');
      }
      if (declared) throw invalidRequest(MULTIPLE);
      declared = { algorithm, trailer: name };
    }
  }

  const sdkText = headerValue(headers, 'x-amz-sdk-checksum-algorithm');
  if (sdkText !== undefined) {
    const sdk = parseChecksumAlgorithm(sdkText);
    if (!sdk) throw invalidRequest('Value for x-amz-sdk-checksum-algorithm header is invalid.');
    if (!declared) {
      throw invalidRequest(
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
      );
    }
  }
  return declared;
}

/** Content-MD5 as 16 raw bytes; InvalidDigest when it is not base64 of exactly 16 bytes. */
export function declaredMd5(headers: IncomingHttpHeaders): Buffer | undefined {
  const text = headerValue(headers, 'content-md5');
  if (text === undefined) return undefined;
  const value = text.trim();
  const bytes = Buffer.from(value, 'base64');
  if (!/^[A-Za-z0-9+/]{22}==$/.test(value) || bytes.length !== 16) throw new S3Error('InvalidDigest');
  return bytes;
}
