// Small response helpers for the console API: JSON in, JSON out, errors as { error: { code, message } }.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConsoleError } from './errors.ts';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': data.length,
    'Cache-Control': 'no-store',
  });
  res.end(data);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const e =
    err instanceof ConsoleError
      ? err
      : new ConsoleError('INTERNAL', `Internal error: ${(err as Error)?.message ?? String(err)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, { error: { code: e.code, message: e.message, s3Code: e.s3Code } });
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ConsoleError('PAYLOAD_TOO_LARGE', `Request body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function requiredParam(url: URL, name: string): string {
  const v = url.searchParams.get(name);
  if (v === null || v === '') throw new ConsoleError('BAD_REQUEST', `Missing query parameter '${name}'`);
  return v;
}
