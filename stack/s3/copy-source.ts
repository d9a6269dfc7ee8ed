// x-amz-copy-source: `[/]bucket/key[?versionId=...]`, URL-encoded.
import { S3Error } from './errors.ts';
import { header, type RequestContext } from './request-context.ts';

export function parseCopySource(ctx: RequestContext): { bucket: string; key: string } {
  const raw = header(ctx, 'x-amz-copy-source') ?? '';
  const invalid = () =>
    new S3Error(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      {
        ArgumentName: 'x-amz-copy-source',
        ArgumentValue: raw,
      },
    );
  let path = raw;
  const q = raw.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(raw.slice(q + 1));
    path = raw.slice(0, q);
    const version = params.get('versionId');
    // No versioning here: every object is the `null` version.
    if (version !== null && version !== 'null') {
      throw new S3Error('InvalidArgument', 'Invalid version id specified', {
        ArgumentName: 'versionId',
        ArgumentValue: version,
      });
    }
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw invalid();
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalid();
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}
