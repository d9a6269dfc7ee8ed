import { StorageError } from './storage-error.ts';

/** S3's key limit, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

function invalid(key: string, why: string): StorageError {
  return new StorageError('INVALID_KEY', `${JSON.stringify(key)} ${why}`, { key });
}

/**
 * The key rules both backends apply, so that a key that works locally works on S3 and a key can
 * never name a path outside the local root: non-empty "/"-separated segments, none "." or "..",
 * no leading "/", no backslash, no control characters, at most 1024 UTF-8 bytes.
 * @throws StorageError INVALID_KEY
 */
export function assertValidKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw invalid(String(key), 'is empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    throw invalid(key, `is longer than ${MAX_KEY_BYTES} bytes`);
  if (/[\u0000-\u001f\u007f]/.test(key)) throw invalid(key, 'contains a control character (NUL, CR, LF...)');
  if (key.includes('\\')) throw invalid(key, 'contains a backslash');
  if (key.startsWith('/')) throw invalid(key, 'is absolute (starts with "/")');
  if (/^[a-zA-Z]:/.test(key)) throw invalid(key, 'starts with a drive letter');
  for (const segment of key.split('/')) {
    if (segment === '') throw invalid(key, 'has an empty segment ("//" or a trailing "/")');
    if (segment === '.' || segment === '..') throw invalid(key, `has a "${segment}" segment`);
  }
  if (key.isWellFormed && !key.isWellFormed()) throw invalid(key, 'is not well-formed Unicode');
  return key;
}

/** A listing prefix: empty, or a key-like string that may end with "/". */
export function assertValidPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

const METADATA_KEY = /^[a-z0-9][a-z0-9_-]*$/;
const METADATA_VALUE = /^[\u0020-\u007e]*$/;
/** S3 caps user metadata at 2 KB (keys and values, UTF-8). */
const MAX_METADATA_BYTES = 2048;

/** @throws StorageError INVALID_METADATA */
export function assertValidMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  if (!metadata) return {};
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (!METADATA_KEY.test(name)) {
      throw new StorageError(
        'INVALID_METADATA',
        `key ${JSON.stringify(name)} is not lowercase a-z, 0-9, "-", "_"`,
      );
    }
    if (typeof value !== 'string' || !METADATA_VALUE.test(value)) {
      throw new StorageError('INVALID_METADATA', `value of ${JSON.stringify(name)} is not printable ASCII`);
    }
    bytes += name.length + value.length;
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new StorageError('INVALID_METADATA', `metadata is ${bytes} bytes, over ${MAX_METADATA_BYTES}`);
  }
  return { ...metadata };
}

/** Content types as `type/subtype` with optional parameters, nothing that could split a header. */
export function assertValidContentType(contentType: string): string {
  if (!/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[^"\r\n]*"|[\w.+-]+))*$/.test(contentType)) {
    throw new StorageError(
      'INVALID_METADATA',
      `content type ${JSON.stringify(contentType)} is not type/subtype`,
    );
  }
  return contentType;
}
