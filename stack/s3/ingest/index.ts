// Public surface of the S3 "bytes in" pipeline: SigV4 authentication and verified body ingest.
export { formatAmzDate, formatIsoSeconds, parseAmzDate } from './amz-date.ts';
export { authenticate, wrongRegionError } from './authenticate.ts';
export { AwsChunkedDecoder, type ChunkedHandlers } from './aws-chunked.ts';
export { canonicalQuery, parseQuery, safeDecode, uriEncode } from './canonical.ts';
export {
  algorithmOfHeader,
  CHECKSUM_ALGORITHMS,
  CHECKSUM_LENGTH,
  type Checksum,
  checksumHeaderName,
  checksumOf,
  createChecksum,
  isValidChecksumValue,
  parseChecksumAlgorithm,
} from './checksum.ts';
export { combineCrc, isCombinable } from './crc-combine.ts';
export { type DeclaredChecksum, declaredChecksum, declaredMd5 } from './declared-checksum.ts';
export { ingest } from './ingest.ts';
export { isChunkedMode, parsePayloadMode } from './payload-mode.ts';
export { createSigningKeyCache, deriveSigningKey, type SigningKeyCache } from './signing-key.ts';
export type * from './types.ts';
