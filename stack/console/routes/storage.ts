// Buckets and objects: browse by prefix, inspect, preview, download, upload and delete as root.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contentDisposition, safeContentType, safeFileName } from '../../mail/api/safe-download.ts';
import type { Route } from '../context.ts';
import { ConsoleError } from '../errors.ts';
import { requiredParam, sendJson } from '../http.ts';
import { previewKind } from '../object-types.ts';
import type { S3Access } from '../s3-access.ts';
import { sandboxCsp } from '../security.ts';
import { bucketOf, STORAGE_BUCKET, s3, s3Of, versionIdParam } from './storage-common.ts';

/** Text previews stop here; the UI says the rest is cut. */
export const TEXT_PREVIEW_BYTES = 256 * 1024;
/** A multipart form is buffered whole; bigger files go up with a raw PUT. */
export const FORM_UPLOAD_LIMIT = 100 * 1024 * 1024;

const BUCKET = STORAGE_BUCKET;

function fileName(key: string): string {
  return safeFileName(key.slice(key.lastIndexOf('/') + 1), 'object');
}

async function streamTo(res: ServerResponse, body: Readable): Promise<void> {
  try {
    await pipeline(body, res);
  } catch {
    res.destroy();
  }
}

async function putFromForm(
  access: S3Access,
  bucket: string,
  req: IncomingMessage,
  url: URL,
): Promise<{ key: string; etag?: string }[]> {
  const length = Number(req.headers['content-length'] ?? Number.NaN);
  if (!(length <= FORM_UPLOAD_LIMIT)) {
    throw new ConsoleError(
      'PAYLOAD_TOO_LARGE',
      `A form upload is limited to ${FORM_UPLOAD_LIMIT} bytes and needs a Content-Length; PUT /api/stack/buckets/{bucket}/object?key= streams any size`,
    );
  }
  const form = await new Request('http://console.local/', {
    method: 'POST',
    headers: { 'content-type': req.headers['content-type'] ?? '' },
    body: Readable.toWeb(req) as ReadableStream,
    duplex: 'half',
  } as RequestInit)
    .formData()
    .catch((err: Error) => {
      throw new ConsoleError('BAD_REQUEST', `Not a multipart/form-data body: ${err.message}`);
    });
  const prefix = url.searchParams.get('prefix') ?? String(form.get('prefix') ?? '');
  const explicitKey = form.get('key');
  const files = form.getAll('file').filter((f): f is File => typeof f !== 'string');
  if (files.length === 0) throw new ConsoleError('BAD_REQUEST', "No 'file' field in the form");
  if (typeof explicitKey === 'string' && explicitKey && files.length > 1) {
    throw new ConsoleError('BAD_REQUEST', "'key' names one object; send one file with it");
  }
  const out: { key: string; etag?: string }[] = [];
  for (const file of files) {
    const key = typeof explicitKey === 'string' && explicitKey ? explicitKey : `${prefix}${file.name}`;
    const body = Buffer.from(await file.arrayBuffer());
    out.push({ key, etag: await s3(() => access.put(bucket, key, body, body.length, file.type)) });
  }
  return out;
}

export const storageRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/stack\/buckets$/,
    async handle(ctx, { res }) {
      const access = s3Of(ctx);
      sendJson(res, 200, { buckets: await s3(() => access.listBuckets()) });
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/stack/buckets/${BUCKET}/settings$`),
    async handle(ctx, { res, params }) {
      const access = s3Of(ctx);
      sendJson(res, 200, await s3(() => access.settings(bucketOf(params))));
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/stack/buckets/${BUCKET}/objects$`),
    async handle(ctx, { res, url, params }) {
      const access = s3Of(ctx);
      const prefix = url.searchParams.get('prefix') ?? '';
      const token = url.searchParams.get('token') ?? undefined;
      sendJson(res, 200, await s3(() => access.list(bucketOf(params), prefix, token)));
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/stack/buckets/${BUCKET}/object$`),
    async handle(ctx, { res, url, params }) {
      const access = s3Of(ctx);
      const key = requiredParam(url, 'key');
      const detail = await s3(() => access.detail(bucketOf(params), key));
      const preview = previewKind(detail.contentType as string, key);
      sendJson(res, 200, { ...detail, preview: preview.kind });
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/stack/buckets/${BUCKET}/download$`),
    async handle(ctx, { res, url, params }) {
      const access = s3Of(ctx);
      const key = requiredParam(url, 'key');
      const versionId = versionIdParam(url, false);
      const bucket = bucketOf(params);
      const got = await s3(() =>
        versionId === undefined
          ? access.get(bucket, key)
          : access.versions.getVersion(bucket, key, versionId),
      );
      res.writeHead(200, {
        'Content-Type': safeContentType(got.contentType ?? 'application/octet-stream'),
        'Content-Disposition': contentDisposition(fileName(key)),
        ...(got.contentLength !== undefined ? { 'Content-Length': got.contentLength } : {}),
        'Content-Security-Policy': sandboxCsp(),
        'Cache-Control': 'no-store',
      });
      await streamTo(res, got.body);
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/stack/buckets/${BUCKET}/preview$`),
    async handle(ctx, { res, url, params }) {
      const access = s3Of(ctx);
      const bucket = bucketOf(params);
      const key = requiredParam(url, 'key');
      const head = await s3(() => access.head(bucket, key));
      const kind = previewKind(head.contentType, key);
      if (kind.kind === 'none') {
        throw new ConsoleError(
          'BAD_REQUEST',
          `No preview for ${head.contentType || 'this type'}: download it`,
          {
            status: 415,
          },
        );
      }
      const got = await s3(() =>
        access.get(
          bucket,
          key,
          kind.kind === 'text' && head.size > TEXT_PREVIEW_BYTES
            ? `bytes=0-${TEXT_PREVIEW_BYTES - 1}`
            : undefined,
        ),
      );
      res.writeHead(200, {
        'Content-Type': kind.kind === 'image' ? kind.type : 'text/plain; charset=utf-8',
        'Content-Disposition': `inline; filename="preview"`,
        'Content-Security-Policy': sandboxCsp(["img-src 'self' data:"]),
        'Cache-Control': 'no-store',
        ...(got.contentLength !== undefined ? { 'Content-Length': got.contentLength } : {}),
      });
      await streamTo(res, got.body);
    },
  },
  {
    method: 'PUT',
    path: new RegExp(`^/api/stack/buckets/${BUCKET}/object$`),
    async handle(ctx, { req, res, url, params }) {
      const access = s3Of(ctx);
      const bucket = bucketOf(params);
      const key = requiredParam(url, 'key');
      const length = Number(req.headers['content-length'] ?? Number.NaN);
      if (!Number.isSafeInteger(length) || length < 0) {
        throw new ConsoleError('BAD_REQUEST', 'An upload needs a Content-Length header', { status: 411 });
      }
      const type = url.searchParams.get('contentType') ?? req.headers['content-type'];
      const etag = await s3(() => access.put(bucket, key, req, length, type));
      sendJson(res, 201, { bucket, key, etag, size: length });
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/stack/buckets/${BUCKET}/upload$`),
    async handle(ctx, { req, res, url, params }) {
      const access = s3Of(ctx);
      const bucket = bucketOf(params);
      sendJson(res, 201, { bucket, objects: await putFromForm(access, bucket, req, url) });
    },
  },
  {
    method: 'DELETE',
    path: new RegExp(`^/api/stack/buckets/${BUCKET}/object$`),
    async handle(ctx, { res, url, params }) {
      const access = s3Of(ctx);
      const key = requiredParam(url, 'key');
      await s3(() => access.remove(bucketOf(params), key));
      sendJson(res, 200, { deleted: key });
    },
  },
];
