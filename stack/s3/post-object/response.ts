// What a successful POST answers: a 303 to success_action_redirect (with bucket, key and etag
// added to its query), or success_action_status 200 / 201 (PostResponse) / 204, the default.
import { uriEncode } from '../ingest/canonical.ts';

export interface Stored {
  bucket: string;
  key: string;
  etag: string;
  versionId?: string;
  /** URL of the bucket without a trailing slash. */
  bucketUrl: string;
}

export interface SuccessResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// S3 writes the ETag's quotes raw in PostResponse; only markup characters are escaped.
const text = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function absoluteUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export function successResponse(s: Stored, values: Map<string, string>): SuccessResponse {
  const etag = s.etag.startsWith('"') ? s.etag : `"${s.etag}"`;
  const location = `${s.bucketUrl}/${uriEncode(s.key)}`;
  const headers: Record<string, string> = { ETag: etag, Location: location };
  if (s.versionId !== undefined) headers['x-amz-version-id'] = s.versionId;

  // A URL S3 cannot interpret is treated as if the field were absent.
  const redirect = values.get('success_action_redirect') ?? values.get('redirect');
  if (redirect !== undefined && absoluteUrl(redirect)) {
    const query = new URLSearchParams({ bucket: s.bucket, key: s.key, etag }).toString();
    const sep = redirect.includes('?') ? (/[?&]$/.test(redirect) ? '' : '&') : '?';
    return { status: 303, headers: { ...headers, Location: `${redirect}${sep}${query}` }, body: '' };
  }
  const status = values.get('success_action_status');
  if (status === '201') {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>' +
      `<Location>${text(location)}</Location><Bucket>${text(s.bucket)}</Bucket>` +
      `<Key>${text(s.key)}</Key><ETag>${text(etag)}</ETag></PostResponse>`;
    return { status: 201, headers: { ...headers, 'Content-Type': 'application/xml' }, body };
  }
  return { status: status === '200' ? 200 : 204, headers, body: '' };
}
