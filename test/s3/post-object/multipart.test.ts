// The multipart reader alone: bounded memory by construction, delimiters cut anywhere,
// preamble/epilogue, the 20 KB budget before the file, and S3's reading of part headers.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isS3Error } from '../../../stack/s3/errors.ts';
import { ChunkSource } from '../../../stack/s3/post-object/chunk-source.ts';
import { readFormHead } from '../../../stack/s3/post-object/form.ts';
import { parseHeaderParams } from '../../../stack/s3/post-object/header-params.ts';
import { MultipartReader } from '../../../stack/s3/post-object/multipart.ts';
import { MAX_PRE_FILE_BYTES } from '../../../stack/s3/post-object/post-errors.ts';
import { BOUNDARY, chunked, multipartBody } from './form-body.ts';

const reader = (body: Readable, boundary = BOUNDARY) => new MultipartReader(new ChunkSource(body), boundary);

async function readFile(r: MultipartReader): Promise<Buffer> {
  const out: Buffer[] = [];
  for (let p = await r.readContent(); p !== null; p = await r.readContent()) out.push(p);
  return Buffer.concat(out);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return isS3Error(err) ? err.code : String(err);
  }
}

describe('MultipartReader', () => {
  it('streams a 20 MiB file holding at most one source chunk plus a delimiter', async () => {
    const file = randomBytes(20 * 1024 * 1024);
    // 64 KiB chunks as a socket delivers them, generated lazily so the test holds the body once.
    const body = multipartBody([
      { name: 'key', value: 'k' },
      { name: 'file', value: file, filename: 'f' },
    ]);
    const r = reader(chunked(body, 64 * 1024));
    const head = await readFormHead(r);
    expect(head.file?.filename).toBe('f');
    let size = 0;
    for (let p = await r.readContent(); p !== null; p = await r.readContent()) size += p.length;
    expect(size).toBe(file.length);
    expect(r.peakBuffered).toBeLessThanOrEqual(64 * 1024 + BOUNDARY.length + 4);
  });

  it('finds delimiters and headers cut at every position', async () => {
    const file = Buffer.from(`a\r\n--${BOUNDARY.slice(0, 5)} almost a delimiter\r\n-`);
    const body = multipartBody([
      { name: 'key', value: 'x/y' },
      { name: 'file', value: file, filename: 'a.txt' },
    ]);
    for (const size of [1, 2, 3, 5, 13, 64]) {
      const r = reader(chunked(body, size));
      const head = await readFormHead(r);
      expect(head.fields).toEqual([{ name: 'key', value: 'x/y' }]);
      expect(await readFile(r)).toEqual(file);
    }
  });

  it('reads a quoted boundary parameter as browsers may send it', () => {
    const { type, params } = parseHeaderParams('Multipart/Form-Data; charset=utf-8; boundary="----a b=c"');
    expect([type, params.get('boundary')]).toEqual(['multipart/form-data', '----a b=c']);
  });

  it('ignores a preamble and an epilogue', async () => {
    const body = Buffer.concat([
      Buffer.from('this is a preamble\r\n'),
      multipartBody([{ name: 'file', value: 'data', filename: '' }], 'bo'),
      Buffer.from('epilogue'),
    ]);
    const r = reader(chunked(body, 4), 'bo');
    const head = await readFormHead(r);
    expect(head.file).toEqual({ name: 'file', filename: '' });
    expect((await readFile(r)).toString()).toBe('data');
  });

  it('counts everything before the file against the 20 KB budget', async () => {
    const ok = multipartBody([
      { name: 'x-amz-meta-a', value: 'a'.repeat(MAX_PRE_FILE_BYTES - 400) },
      { name: 'file', value: 'f', filename: 'f' },
    ]);
    expect(await codeOf(readFormHead(reader(chunked(ok, 1000))))).toBe('no error');
    const over = multipartBody([
      { name: 'x-amz-meta-a', value: 'a'.repeat(MAX_PRE_FILE_BYTES) },
      { name: 'file', value: 'f', filename: 'f' },
    ]);
    const code = await codeOf(readFormHead(reader(chunked(over, 1000))));
    expect(['MaxPostPreDataLengthExceeded', 'MaxMessageLengthExceeded']).toContain(code);
  });

  it('treats only a form-data part named file (any case) as the file', async () => {
    const body = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: file; name="file"\r\n\r\nnot the file\r\n` +
        `--${BOUNDARY}\r\ncontent-disposition: form-data; name="upload"; filename="u.bin"\r\n\r\nnot either\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="FILE"; filename="C:\\dir\\x.png"\r\nContent-Type: image/png\r\n\r\nyes\r\n` +
        `--${BOUNDARY}--`,
    );
    const r = reader(chunked(body, 9));
    const head = await readFormHead(r);
    expect(head.fields).toEqual([{ name: 'upload', value: 'not either' }]);
    expect(head.file).toEqual({ name: 'FILE', filename: 'C:\\dir\\x.png', contentType: 'image/png' });
    expect((await readFile(r)).toString()).toBe('yes');
  });

  it('reports no file when the form closes without one', async () => {
    const head = await readFormHead(reader(chunked(multipartBody([{ name: 'key', value: 'k' }]), 5)));
    expect(head).toEqual({ fields: [{ name: 'key', value: 'k' }], file: null });
  });

  it('refuses junk after a delimiter and a body that never starts', async () => {
    const junk = Buffer.from(`--${BOUNDARY}junk\r\n\r\nv\r\n--${BOUNDARY}--`);
    expect(await codeOf(readFormHead(reader(chunked(junk, 3))))).toBe('MalformedPOSTRequest');
    expect(await codeOf(readFormHead(reader(Readable.from([Buffer.from('no boundary at all')]))))).toBe(
      'MalformedPOSTRequest',
    );
  });

  it('leaves the source stream undestroyed when the reader gives up', async () => {
    const src = chunked(multipartBody([{ name: 'file', value: randomBytes(10_000), filename: 'f' }]), 100);
    const source = new ChunkSource(src);
    const r = new MultipartReader(source, BOUNDARY);
    await readFormHead(r);
    await r.readContent();
    source.release();
    expect(src.destroyed).toBe(false);
  });
});
