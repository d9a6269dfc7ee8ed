// Object versions as root: every version and delete marker of a key, the deleted keys under a
// prefix (latest version a delete marker), and restoring an old version as the current one.
import type { Route } from '../context.ts';
import { ConsoleError } from '../errors.ts';
import { requiredParam, sendJson } from '../http.ts';
import { bucketOf, STORAGE_BUCKET, s3, s3Of, versionIdParam } from './storage-common.ts';

export const versionRoutes: Route[] = [
  {
    method: 'GET',
    path: new RegExp(`^/api/stack/buckets/${STORAGE_BUCKET}/versions$`),
    async handle(ctx, { res, url, params }) {
      const access = s3Of(ctx);
      const key = requiredParam(url, 'key');
      sendJson(res, 200, await s3(() => access.versions.versions(bucketOf(params), key)));
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/stack/buckets/${STORAGE_BUCKET}/deleted$`),
    async handle(ctx, { res, url, params }) {
      const access = s3Of(ctx);
      const prefix = url.searchParams.get('prefix') ?? '';
      const keyMarker = url.searchParams.get('keyMarker') ?? '';
      const versionIdMarker = url.searchParams.get('versionIdMarker') ?? undefined;
      if (versionIdMarker !== undefined && !keyMarker) {
        throw new ConsoleError('BAD_REQUEST', "'versionIdMarker' goes with a 'keyMarker'");
      }
      sendJson(
        res,
        200,
        await s3(() =>
          access.versions.deleted(
            bucketOf(params),
            prefix,
            keyMarker ? { keyMarker, versionIdMarker } : undefined,
          ),
        ),
      );
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/stack/buckets/${STORAGE_BUCKET}/restore$`),
    async handle(ctx, { res, url, params }) {
      const access = s3Of(ctx);
      const key = requiredParam(url, 'key');
      const versionId = versionIdParam(url, true);
      sendJson(res, 201, await s3(() => access.versions.restore(bucketOf(params), key, versionId)));
    },
  },
];
