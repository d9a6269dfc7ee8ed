// Worker side of hash-offload.ts: the MD5 (and the payload's SHA-256, when the request signed
// one) of large bodies, fed in batches. Builtins only.
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

/** What a body's batches are hashed with, in the order the digests come back. */
export type OffloadAlgorithm = 'md5' | 'sha256';

export type HashMessage =
  | { op: 'open'; id: number; algorithms: OffloadAlgorithm[] }
  | { op: 'data'; id: number; bytes: ArrayBuffer; length: number }
  | { op: 'end'; id: number }
  | { op: 'drop'; id: number };

export type HashReply =
  | { op: 'returned'; bytes: ArrayBuffer }
  | { op: 'digest'; id: number; digests: Uint8Array[] };

const bodies = new Map<number, Hash[]>();

parentPort!.on('message', (m: HashMessage) => {
  if (m.op === 'open')
    bodies.set(
      m.id,
      m.algorithms.map((a) => createHash(a)),
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
