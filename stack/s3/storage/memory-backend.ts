// Memory storage: blobs are Buffers, records live only in the store's index.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { bufferStream, copyChunks } from './buffer-stream.ts';
import type { Backends, BlobBackend, BlobRef, LoadedState, MetaBackend } from './types.ts';

/**
 * Chunks at least this long are kept as they arrived; shorter runs are copied together into
 * segments of their own. A socket's read buffers are allocated per read and sized to what was
 * read, so keeping them pins nothing; a client trickling tiny packets still costs one segment
 * per SEGMENT bytes, not one Buffer per packet.
 */
const KEEP_MIN = 16 * 1024;
const SINGLE_MAX = 1024 * 1024;
const SEGMENT = 64 * 1024;

/** A blob's bytes: one buffer, or the segments it arrived in (large bodies). */
type Stored = Buffer | Buffer[];

/** The stored segments overlapping [start, end], cut to it. */
function slices(segments: Buffer[], start: number, end: number): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (const seg of segments) {
    const segEnd = offset + seg.length - 1;
    if (segEnd >= start && offset <= end) {
      out.push(seg.subarray(Math.max(start, offset) - offset, Math.min(end, segEnd) - offset + 1));
    }
    offset += seg.length;
    if (offset > end) break;
  }
  return out;
}

class MemoryBlobs implements BlobBackend {
  readonly #blobs = new Map<string, Stored>();

  async write(body: Readable): Promise<BlobRef> {
    // Large chunks are kept, not copied into one buffer of the whole size: a 64 MiB PUT
    // allocated, faulted in and copied 64 MiB more, and the extra external memory brought on
    // a full GC about every 70 ms. Bytes are never written after they are stored, so sharing
    // a chunk with the request that brought it is safe once the request is done with it.
    const segments: Buffer[] = [];
    let small: Buffer[] = [];
    let smallBytes = 0;
    let size = 0;
    const flushSmall = () => {
      if (smallBytes === 0) return;
      segments.push(copyChunks(small, smallBytes));
      small = [];
      smallBytes = 0;
    };
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (chunk.length === 0) continue;
      size += chunk.length;
      if (chunk.length >= KEEP_MIN) {
        flushSmall();
        segments.push(chunk);
      } else {
        small.push(chunk);
        smallBytes += chunk.length;
        if (smallBytes >= SEGMENT) flushSmall();
      }
    }
    // A body that is one short run (most small PUTs) is copied, so it never shares memory
    // with a buffer someone else might still change.
    flushSmall();
    // Up to a MiB is stored as one buffer, whatever it arrived in: a GET then answers with a
    // single write (a 64 KiB body usually arrives as two chunks, the first shared with the
    // request's head).
    const stored = segments.length > 1 && size <= SINGLE_MAX ? [copyChunks(segments, size)] : segments;
    const id = randomUUID();
    this.#blobs.set(id, stored.length === 1 ? stored[0]! : stored);
    return { id, size };
  }

  read(blob: BlobRef, start: number, end: number): Readable {
    const data = this.#blobs.get(blob.id);
    if (!Array.isArray(data)) return bufferStream(this.bytes(blob, start, end));
    return bufferStream(end >= start ? slices(data, start, end) : undefined);
  }

  bytes(blob: BlobRef, start: number, end: number): Buffer | undefined {
    const data = this.#blobs.get(blob.id);
    if (!data || end < start) return undefined;
    // subarray shares memory: no copy per read.
    if (!Array.isArray(data)) return data.subarray(start, end + 1);
    const parts = slices(data, start, end);
    return parts.length === 1 ? parts[0] : undefined;
  }

  async delete(id: string): Promise<void> {
    this.#blobs.delete(id);
  }

  async list(): Promise<string[]> {
    return [...this.#blobs.keys()];
  }
}

const noMeta: MetaBackend = {
  async load(): Promise<LoadedState> {
    return { buckets: [], objects: [], uploads: [] };
  },
  async saveBucket() {},
  async deleteBucket() {},
  async saveKey() {},
  async saveUpload() {},
  async deleteUpload() {},
};

export function memoryBackends(): Backends {
  return { blobs: new MemoryBlobs(), meta: noMeta };
}
