// The payload protection a request declares in x-amz-content-sha256.
import { S3Error } from '../errors.ts';
import type { PayloadMode } from './types.ts';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

const INVALID =
  'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.';

export function parsePayloadMode(contentSha256: string): PayloadMode {
  switch (contentSha256) {
    case UNSIGNED_PAYLOAD:
      return 'unsigned';
    case STREAMING_SIGNED:
      return 'streaming-signed';
    case STREAMING_SIGNED_TRAILER:
      return 'streaming-signed-trailer';
    case STREAMING_UNSIGNED_TRAILER:
      return 'streaming-unsigned-trailer';
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER':
      // SigV4a: valid on AWS, but this server verifies only HMAC-SHA256 signatures.
      throw new S3Error('NotImplemented', undefined, { Header: 'x-amz-content-sha256' });
  }
  if (/^[0-9a-fA-F]{64}$/.test(contentSha256)) return 'signed';
  throw new S3Error('InvalidArgument', INVALID, {
    ArgumentName: 'x-amz-content-sha256',
    ArgumentValue: contentSha256,
  });
}

/** Whether the body arrives in aws-chunked framing. */
export function isChunkedMode(mode: PayloadMode): boolean {
  return (
    mode === 'streaming-signed' ||
    mode === 'streaming-signed-trailer' ||
    mode === 'streaming-unsigned-trailer'
  );
}
