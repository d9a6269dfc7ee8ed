// Metadata values sent through a form may be any UTF-8; S3 stores non-ASCII ones RFC 2047
// encoded ("=?UTF-8?Q?...?=" when mostly ASCII, "=?UTF-8?B?...?=" otherwise), which is also
// what keeps them legal in HTTP response headers.

const isPlain = (code: number) => (code >= 0x20 && code < 0x7f) || code === 0x09;

export function encodeMetaValue(value: string): string {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    if (isPlain(value.charCodeAt(i))) ascii++;
    else other++;
  }
  if (other === 0) return value;
  const bytes = Buffer.from(value, 'utf8');
  if (ascii <= other) return `=?UTF-8?B?${bytes.toString('base64')}?=`;
  let q = '';
  for (const b of bytes) {
    if (b === 0x20) q += '_';
    else if (b > 0x20 && b < 0x7f && b !== 0x3d && b !== 0x3f && b !== 0x5f) q += String.fromCharCode(b);
    else q += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `=?UTF-8?Q?${q}?=`;
}
