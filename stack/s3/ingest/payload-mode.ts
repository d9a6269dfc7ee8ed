// The payload protection a request declares in x-amz-content-sha256.
import { S3Error } from '../errors.ts';
import type { PayloadMode } from './types.ts';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

const INVALID =
  'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.';

/** /^[0-9a-fA-F]{64}$/ without the regex (this runs on every signed request). */
function isSha256Hex(text: string): boolean {
  if (text.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = text.charCodeAt(i);
    // 0-9, A-F, a-f (| 0x20 folds upper case onto lower case)
    if (!((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66))) return false;
  }
  return true;
}

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
  if (isSha256Hex(contentSha256)) return 'signed';
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
