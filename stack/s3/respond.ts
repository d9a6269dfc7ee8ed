// Writing responses: XML documents, empty successes and S3 error documents.
import type { ServerResponse } from 'node:http';
import type { S3Error } from './errors.ts';
import { block, esc, tag } from './xml.ts';

export function sendXml(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  const buf = Buffer.from(body, 'utf8');
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', buf.length);
  res.end(buf);
}

export function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number> = {},
): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (status !== 204 && status !== 304) res.setHeader('Content-Length', 0);
  res.end();
}

export function errorXml(err: S3Error, resource: string, requestId: string, hostId: string): string {
  const extras = Object.entries(err.extra)
    .map(([k, v]) => tag(k, v))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${block(
    'Error',
    tag('Code', err.code),
    tag('Message', err.message),
    extras,
    resource ? `<Resource>${esc(resource)}</Resource>` : '',
    tag('RequestId', requestId),
    tag('HostId', hostId),
  )}`;
}

/** An S3 error: XML body except for HEAD (and 304), headers the error asks for. */
export function sendError(
  res: ServerResponse,
  method: string,
  err: S3Error,
  resource: string,
  requestId: string,
  hostId: string,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) {
    const keep =
      name === 'x-amz-request-id' ||
      name === 'x-amz-id-2' ||
      name === 'connection' ||
      name === 'server' ||
      name === 'vary';
    if (!keep && !name.startsWith('access-control-')) res.removeHeader(name);
  }
  res.statusCode = err.status;
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  if (method === 'HEAD' || err.status === 304) {
    res.end();
    return;
  }
  const buf = Buffer.from(errorXml(err, resource, requestId, hostId), 'utf8');
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', buf.length);
  res.end(buf);
}
