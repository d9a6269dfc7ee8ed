// Worker side of hash-offload.ts: the hashes of large bodies, fed in batches. Builtins only, and
// the import-free CRC32 wrapper (the checksums whose code is ours, CRC32C and CRC64NVME, stay on
// the request's thread).
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import type { Checksum } from './checksum.ts';
import { Crc32Checksum } from './crc32-checksum.ts';

/** What a body's batches are hashed with, in the order the digests come back. */
export type OffloadAlgorithm = 'md5' | 'sha256' | 'sha1' | 'crc32';

export type HashMessage =
  | { op: 'open'; id: number; algorithms: OffloadAlgorithm[] }
  | { op: 'data'; id: number; bytes: ArrayBuffer; length: number }
  | { op: 'end'; id: number }
  | { op: 'drop'; id: number };

export type HashReply =
  | { op: 'returned'; bytes: ArrayBuffer }
  | { op: 'digest'; id: number; digests: Uint8Array[] };

const bodies = new Map<number, Checksum[]>();

parentPort!.on('message', (m: HashMessage) => {
  if (m.op === 'open')
    bodies.set(
      m.id,
      m.algorithms.map((a) => (a === 'crc32' ? new Crc32Checksum(crc32) : createHash(a))),
    );
  else if (m.op === 'data') {
    const view = new Uint8Array(m.bytes, 0, m.length);
    for (const h of bodies.get(m.id) ?? []) h.update(view);
    parentPort!.postMessage({ op: 'returned', bytes: m.bytes } satisfies HashReply, [m.bytes]);
  } else if (m.op === 'end') {
    const hashes = bodies.get(m.id) ?? [];
    bodies.delete(m.id);
    parentPort!.postMessage({
      op: 'digest',
      id: m.id,
      digests: hashes.map((h) => h.digest()),
    } satisfies HashReply);
  } else bodies.delete(m.id);
});
