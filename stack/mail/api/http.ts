import type { IncomingMessage, ServerResponse } from 'node:http';
import { MailError } from '../errors.ts';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': data.length });
  res.end(data);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string | Buffer,
  type = 'text/plain; charset=utf-8',
): void {
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': data.length });
  res.end(data);
}

/** Mailpit answers errors as plain text; so do we for its paths (the client reads the text). */
export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof MailError) {
    const status = err.code === 'NOT_FOUND' ? 404 : err.code === 'BAD_REQUEST' ? 400 : 500;
    sendText(res, status, err.message);
    return;
  }
  sendText(res, 500, `Internal error: ${(err as Error)?.message ?? String(err)}`);
}

const MAX_BODY = 1024 * 1024;

export async function readJsonBody<T>(req: IncomingMessage): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new MailError('BAD_REQUEST', 'Request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MailError('BAD_REQUEST', 'Request body is not valid JSON');
  }
}

export function intParam(
  url: URL,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new MailError('BAD_REQUEST', `${name}=${raw} is not valid: expected an integer ${min}-${max}`);
  }
  return n;
}
