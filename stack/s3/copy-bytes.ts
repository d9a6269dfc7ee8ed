// Copying stored bytes into a new blob while computing what a fresh upload would: MD5 and a checksum.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { createChecksum } from './ingest/index.ts';
import type { ChecksumAlgorithm } from './ingest/types.ts';
import type { Store } from './storage/store.ts';
import type { BlobRef, ObjectRecord } from './storage/types.ts';

export interface CopiedBytes {
  blob: BlobRef;
  md5Hex: string;
  checksum: string;
}

export async function copyBytes(
  store: Store,
  source: ObjectRecord,
  start: number,
  end: number,
  algorithm: ChecksumAlgorithm,
): Promise<CopiedBytes> {
  const md5 = createHash('md5');
  const sum = createChecksum(algorithm);
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      md5.update(chunk);
      sum.update(chunk);
      cb(null, chunk);
    },
  });
  const src = store.read(source, start, end);
  src.on('error', (err) => tap.destroy(err));
  let blob: BlobRef;
  try {
    blob = await store.writeBlob(src.pipe(tap));
  } catch (err) {
    // The write gave up before reading it all: closing the source releases its blob (a
    // deleted source's file is removed only once its last reader closes).
    src.destroy();
    tap.destroy();
    throw err;
  }
  return { blob, md5Hex: md5.digest('hex'), checksum: sum.digest().toString('base64') };
}
