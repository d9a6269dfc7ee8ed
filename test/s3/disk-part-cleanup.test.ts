// Multipart parts on disk storage: a part over the inline limit (64 KiB) is a file under
// <dir>/blobs/; AbortMultipartUpload removes every part file of its upload, and
// CompleteMultipartUpload removes the files of the parts it did not use and keeps the others,
// all before it answers. A restart on the same directory finds the object whole and nothing
// else. Files are told apart by their bytes: every part is random.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { client, ROOT } from './fixtures.ts';

const BUCKET = 'parts';
const MIB = 1024 * 1024;

const dirs: string[] = [];
const open: { srv: S3Server; s3: S3Client }[] = [];
afterEach(async () => {
  for (const { srv, s3 } of open.splice(0)) {
    s3.destroy();
    await srv.stop();
  }
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function start(dir: string) {
  const srv = await startS3Server({ identities: [ROOT], storage: { type: 'disk', dir } });
  const s3 = client(srv.url);
  open.push({ srv, s3 });
  return { srv, s3 };
}

async function stop(h: { srv: S3Server; s3: S3Client }) {
  open.splice(open.indexOf(h), 1);
  h.s3.destroy();
  await h.srv.stop();
}

/** Every file under <dir>/blobs/ with its bytes. */
async function blobFiles(dir: string): Promise<Buffer[]> {
  const root = join(dir, 'blobs');
  const files: Buffer[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return files;
}

/** Which of `parts` (by name) have a file under blobs/ holding exactly their bytes; throws on any other file. */
async function partFiles(dir: string, parts: Record<string, Buffer>): Promise<string[]> {
  const found: string[] = [];
  for (const file of await blobFiles(dir)) {
    const name = Object.keys(parts).find((n) => parts[n]!.equals(file));
    if (name === undefined)
      throw new Error(`a blob file of ${file.length} bytes that is no part of this test`);
    found.push(name);
  }
  return found.sort();
}

async function upload(s3: S3Client, key: string, parts: Buffer[]) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const etags: string[] = [];
  for (const [i, body] of parts.entries()) {
    const r = await s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: i + 1, Body: body }),
    );
    etags.push(r.ETag!);
  }
  return { uploadId: UploadId!, etags };
}

async function read(s3: S3Client, key: string): Promise<Buffer> {
  const g = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await g.Body!.transformToByteArray());
}

describe('multipart part files on disk', () => {
  it('are files under blobs/, and AbortMultipartUpload removes all of them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 's3-part-abort-'));
    dirs.push(dir);
    const h = await start(dir);
    await h.srv.createBucket(BUCKET);
    const parts = { p1: randomBytes(100 * 1024), p2: randomBytes(70 * 1024), p3: randomBytes(1024) };
    const { uploadId } = await upload(h.s3, 'aborted.bin', [parts.p1, parts.p2, parts.p3]);
    // The two over 64 KiB are files; the small one lives in the upload's record.
    expect(await partFiles(dir, parts)).toEqual(['p1', 'p2']);
    await h.s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'aborted.bin', UploadId: uploadId }),
    );
    expect(await partFiles(dir, parts)).toEqual([]);
    const listed = await h.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(listed.Uploads ?? []).toEqual([]);
  });

  it('CompleteMultipartUpload keeps the files of the parts it uses and removes the others; a restart finds the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 's3-part-complete-'));
    dirs.push(dir);
    const h = await start(dir);
    await h.srv.createBucket(BUCKET);
    // 5 MiB: the least a part that is not the last may be.
    const parts = {
      p1: randomBytes(5 * MIB),
      p2: randomBytes(200 * 1024),
      p3: randomBytes(150 * 1024),
      p4: randomBytes(100 * 1024),
    };
    const { uploadId, etags } = await upload(h.s3, 'whole.bin', [parts.p1, parts.p2, parts.p3, parts.p4]);
    expect(await partFiles(dir, parts)).toEqual(['p1', 'p2', 'p3', 'p4']);
    await h.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'whole.bin',
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: etags[0] },
            { PartNumber: 3, ETag: etags[2] },
          ],
        },
      }),
    );
    const expected = Buffer.concat([parts.p1, parts.p3]);
    // Checked before any restart: a restart collects unreferenced blobs by itself.
    expect(await partFiles(dir, parts)).toEqual(['p1', 'p3']);
    expect((await read(h.s3, 'whole.bin')).equals(expected)).toBe(true);
    expect(h.srv.headObject(BUCKET, 'whole.bin')?.partsCount).toBe(2);

    await stop(h);
    const again = await start(dir);
    expect((await read(again.s3, 'whole.bin')).equals(expected)).toBe(true);
    expect(await partFiles(dir, parts)).toEqual(['p1', 'p3']);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    const listed = await again.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(listed.Uploads ?? []).toEqual([]);
  });
});
