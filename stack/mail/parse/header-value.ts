// A header field's value from its raw text ("Name: value\r\n continued"), unfolded (RFC 5322
// §2.2.3) the way Go's net/textproto reads it for Mailpit: each line trimmed, the lines joined
// by one space. mailparser's headerLines keep the folds, so every value shown goes through here.
export function headerValue(field: string): string {
  const colon = field.indexOf(':');
  if (!field.includes('\n', colon)) return field.slice(colon + 1).trim();
  return field
    .slice(colon + 1)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .join(' ')
    .trim();
}
