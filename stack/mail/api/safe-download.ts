// Attachment names and Content-IDs come from whoever sent the mail. Before one goes into a
// Content-Disposition header (and from there into a browser's or a script's save path) it is
// reduced to a plain file name: no directories, no traversal, no control or quote characters.
import { basename } from 'node:path/posix';

export function safeFileName(name: string, fallback = 'attachment'): string {
  const base = basename(name.replace(/\\/g, '/'))
    .replace(/[\u0000-\u001f\u007f"<>|:*?;]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 200);
  return base && base !== '.' && base !== '..' ? base : fallback;
}

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name in filename*. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/[%\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Types a browser would render or run are served as bytes (as Mailpit does). */
export function safeContentType(type: string): string {
  const media = type.split(';')[0]!.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(media)) return 'application/octet-stream';
  const active = [
    'text/html',
    'text/xml',
    'application/xhtml+xml',
    'image/svg+xml',
    'application/xml',
    'text/xsl',
    'text/javascript',
    'application/javascript',
  ];
  return active.includes(media) ? 'application/octet-stream' : media;
}
