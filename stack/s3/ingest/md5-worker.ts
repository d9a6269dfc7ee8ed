// Worker side of md5-offload.ts: MD5s of large bodies, fed in batches. Builtins only.
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

export type Md5Message =
  | { op: 'data'; id: number; bytes: ArrayBuffer; length: number }
  | { op: 'end'; id: number }
  | { op: 'drop'; id: number };

export type Md5Reply = { op: 'returned'; bytes: ArrayBuffer } | { op: 'digest'; id: number; md5: Uint8Array };

const hashes = new Map<number, Hash>();

parentPort!.on('message', (m: Md5Message) => {
  if (m.op === 'data') {
    let h = hashes.get(m.id);
    if (!h) {
      h = createHash('md5');
      hashes.set(m.id, h);
    }
    h.update(new Uint8Array(m.bytes, 0, m.length));
    parentPort!.postMessage({ op: 'returned', bytes: m.bytes } satisfies Md5Reply, [m.bytes]);
  } else if (m.op === 'end') {
    const h = hashes.get(m.id) ?? createHash('md5');
    hashes.delete(m.id);
    parentPort!.postMessage({ op: 'digest', id: m.id, md5: h.digest() } satisfies Md5Reply);
  } else hashes.delete(m.id);
});
