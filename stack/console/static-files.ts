// The UI's files, read once at start and served from memory: a fixed set of names, so no request
// path ever reaches the file system.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setPageHeaders } from './security.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface StaticFile {
  type: string;
  body: Buffer;
  etag: string;
}

export type StaticFiles = (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean;

export const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

export async function loadStaticFiles(dir = UI_DIR): Promise<StaticFiles> {
  const files = new Map<string, StaticFile>();
  for (const name of await readdir(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = await readFile(join(dir, name));
    files.set(`/${name}`, { type, body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` });
  }
  const index = files.get('/index.html');
  if (index) files.set('/', index);

  return (req, res, pathname) => {
    const file = files.get(pathname);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    setPageHeaders(res);
    res.setHeader('ETag', file.etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304);
      res.end();
      return true;
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.body.length });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  };
}
