import { Readable } from 'node:stream';
import type { StorageBody } from '../storage/storage.ts';
import { FlowError } from './flow-error.ts';

/** What a user uploads: the declared name and type come from the client and are checked. */
export interface UploadedFile {
  fileName: string;
  contentType: string;
  body: StorageBody;
  /** Declared size in bytes, when the client sent one (Content-Length); checked before reading. */
  size?: number;
}

export const IMAGE_TYPES: Readonly<Record<string, string>> = Object.freeze({
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
});

export const VERIFICATION_DOCUMENT_TYPES: readonly string[] = Object.freeze([
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/webp',
]);

export const CHAT_ATTACHMENT_TYPES: readonly string[] = Object.freeze([
  ...Object.keys(IMAGE_TYPES),
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/x-hwp',
  'application/haansofthwp',
]);

/** Leading bytes of the types whose content we can recognise; the declared type must match them. */
const SIGNATURES: readonly { type: string; test: (head: Buffer) => boolean }[] = [
  {
    type: 'image/png',
    test: (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/jpeg', test: (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff },
  { type: 'image/gif', test: (h) => /^GIF8[79]a/.test(h.subarray(0, 6).toString('latin1')) },
  {
    type: 'image/webp',
    test: (h) =>
      h.subarray(0, 4).toString('latin1') === 'RIFF' && h.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  { type: 'application/pdf', test: (h) => h.subarray(0, 5).toString('latin1') === '%PDF-' },
];
const SNIFF_BYTES = 12;

function baseType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** Reads the first bytes of a body and returns them with a body that still yields everything. */
async function peek(body: StorageBody, n: number): Promise<{ head: Buffer; body: StorageBody }> {
  if (!(body instanceof Readable)) return { head: Buffer.from(body).subarray(0, n), body };
  const iterator: AsyncIterator<Buffer> = body[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < n && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else {
      chunks.push(Buffer.from(next.value));
      length += next.value.length;
    }
  }
  const head = Buffer.concat(chunks);
  async function* replay() {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  }
  return { head: head.subarray(0, n), body: Readable.from(replay(), { objectMode: false }) };
}

/**
 * Checks an upload against the allowed types (declared type, and for images and PDF the actual
 * leading bytes) and the size limit when declared. Returns the normalized type and a body that
 * still yields every byte.
 */
export async function checkUpload(
  field: string,
  file: UploadedFile,
  allowed: readonly string[],
  maxFileSize: number,
): Promise<{ contentType: string; body: StorageBody }> {
  if (typeof file.fileName !== 'string' || file.fileName.trim() === '') {
    throw new FlowError('INVALID_INPUT', `${field}.fileName`, 'a file name is required');
  }
  const contentType = baseType(file.contentType ?? '');
  if (!allowed.includes(contentType)) {
    throw new FlowError(
      'UNSUPPORTED_FILE_TYPE',
      `${field}.contentType`,
      `${JSON.stringify(file.contentType)} is not allowed here (allowed: ${allowed.join(', ')})`,
    );
  }
  if (file.size !== undefined && (!Number.isSafeInteger(file.size) || file.size < 0)) {
    throw new FlowError(
      'INVALID_INPUT',
      `${field}.size`,
      `must be a whole number of bytes, got ${file.size}`,
    );
  }
  if (file.size !== undefined && file.size > maxFileSize) {
    throw new FlowError(
      'INVALID_INPUT',
      `${field}.size`,
      `${file.size} bytes is over the ${maxFileSize}-byte limit`,
    );
  }
  const signature = SIGNATURES.find((s) => s.type === contentType);
  if (!signature) return { contentType, body: file.body };
  const { head, body } = await peek(file.body, SNIFF_BYTES);
  if (!signature.test(head)) {
    if (file.body instanceof Readable) file.body.destroy();
    throw new FlowError('UNSUPPORTED_FILE_TYPE', `${field}.body`, `the content is not ${contentType}`);
  }
  return { contentType, body };
}
