// Which stored objects the console may preview, and as what. Images the browser decodes as
// pixels are shown as images; anything textual (SVG and HTML included) is shown as plain text.
const RASTER = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/x-icon',
  'image/vnd.microsoft.icon',
]);

const TEXT_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/javascript',
  'application/x-yaml',
  'application/yaml',
  'application/x-ndjson',
  'application/sql',
  'image/svg+xml',
]);

const BY_EXTENSION: Record<string, 'image' | 'text'> = {
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  gif: 'image',
  webp: 'image',
  avif: 'image',
  bmp: 'image',
  txt: 'text',
  md: 'text',
  csv: 'text',
  json: 'text',
  log: 'text',
  xml: 'text',
  yml: 'text',
  yaml: 'text',
  html: 'text',
  htm: 'text',
  svg: 'text',
  js: 'text',
  ts: 'text',
  css: 'text',
};

const IMAGE_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
};

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function extension(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export type PreviewKind = { kind: 'image'; type: string } | { kind: 'text' } | { kind: 'none' };

/** How to preview an object of this declared type and key. */
export function previewKind(contentType: string | undefined, key: string): PreviewKind {
  const media = mediaType(contentType);
  if (RASTER.has(media)) return { kind: 'image', type: media };
  if (media.startsWith('text/') || TEXT_TYPES.has(media) || /\+(json|xml)$/.test(media))
    return { kind: 'text' };
  if (media === '' || media === 'application/octet-stream' || media === 'binary/octet-stream') {
    const ext = extension(key);
    if (BY_EXTENSION[ext] === 'image') return { kind: 'image', type: IMAGE_BY_EXTENSION[ext]! };
    if (BY_EXTENSION[ext] === 'text') return { kind: 'text' };
  }
  return { kind: 'none' };
}
