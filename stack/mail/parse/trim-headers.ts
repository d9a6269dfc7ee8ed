// mailparser refuses a header section over its size limit (a 1 MB header line is enough) and
// then nothing at all would be known about the message. For the summary only, header fields
// are cut to a sane length and the message is parsed again; the stored raw stays untouched.
const MAX_FIELD = 16 * 1024;

export function trimLongHeaders(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const match = /\r?\n\r?\n/.exec(text);
  const headEnd = match ? match.index : text.length;
  const head = text.slice(0, headEnd);
  const fields = head.split(/\r?\n(?![ \t])/).map((f) => (f.length > MAX_FIELD ? f.slice(0, MAX_FIELD) : f));
  return Buffer.concat([
    Buffer.from(fields.join('\r\n'), 'latin1'),
    raw.subarray(Buffer.byteLength(head, 'latin1')),
  ]);
}
