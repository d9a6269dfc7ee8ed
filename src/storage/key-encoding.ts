// Small wire helpers shared by the storage adapters.

/** A key in a URL path: each segment percent-encoded, the slashes kept. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** An ETag without the quotes S3 puts around it. */
export function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '');
}
