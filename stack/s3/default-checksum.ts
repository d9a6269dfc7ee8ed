// S3 gives every object a checksum: the client's, or a CRC64NVME it computes itself. Ours is
// computed on first demand (a read with x-amz-checksum-mode, GetObjectAttributes) rather than
// on every write, so writes cost only what the protocol verifies (MD5 and the payload hash).
import type { IncomingHttpHeaders } from 'node:http';
import { createChecksum } from './ingest/index.ts';
import type { Store } from './storage/store.ts';
import type { ObjectRecord, StoredChecksum } from './storage/types.ts';

/** The stored form of "CRC64NVME, not computed yet". */
export function pendingDefaultChecksum(): StoredChecksum {
  return { algorithm: 'CRC64NVME', value: '', type: 'FULL_OBJECT' };
}

export function isPending(c: StoredChecksum | undefined): boolean {
  return c !== undefined && c.value === '';
}

/** Whether the request carries a checksum of its own (header or trailer). */
export function declaresChecksum(headers: IncomingHttpHeaders): boolean {
  const trailer = headers['x-amz-trailer'];
  if (typeof trailer === 'string' && trailer.toLowerCase().includes('x-amz-checksum-')) return true;
  return Object.keys(headers).some(
    (h) =>
      h.startsWith('x-amz-checksum-') &&
      h !== 'x-amz-checksum-mode' &&
      h !== 'x-amz-checksum-type' &&
      h !== 'x-amz-checksum-algorithm',
  );
}

/** The record with its default checksum computed (and stored, if the object is unchanged). */
export async function ensureChecksum(store: Store, bucket: string, rec: ObjectRecord): Promise<ObjectRecord> {
  if (!rec.checksum || !isPending(rec.checksum)) return rec;
  const sum = createChecksum(rec.checksum.algorithm);
  for await (const chunk of store.read(rec, 0, rec.size - 1)) sum.update(chunk as Buffer);
  const value = sum.digest().toString('base64');
  const filled: ObjectRecord = { ...rec, checksum: { ...rec.checksum, value } };
  await store
    .updateObject(
      bucket,
      rec.key,
      (current) =>
        current.etag === rec.etag && current.blobs[0]?.id === rec.blobs[0]?.id
          ? { ...current, checksum: filled.checksum }
          : current,
      rec.versionId ?? 'null',
    )
    .catch(() => {});
  return filled;
}
