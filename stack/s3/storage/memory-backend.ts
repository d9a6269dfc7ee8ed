// Memory storage: blobs are Buffers, records live only in the store's index.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { bufferStream } from './buffer-stream.ts';
import type { Backends, BlobBackend, BlobRef, LoadedState, MetaBackend } from './types.ts';

/** Declared lengths above this are not reserved up front (a client may declare and not send). */
const PREALLOCATE_MAX = 256 * 1024 * 1024;

class MemoryBlobs implements BlobBackend {
  readonly #blobs = new Map<string, Buffer>();

  async write(body: Readable, sizeHint?: number): Promise<BlobRef> {
    // Copying each chunk into a buffer of the declared size as it arrives holds the body once
    // (collecting the chunks and concatenating held it twice: 128 MiB for a 64 MiB object).
    // The chunks are copied either way, so a stored object never pins socket read buffers.
    const hint = sizeHint !== undefined && sizeHint <= PREALLOCATE_MAX ? sizeHint : 0;
    const into = Buffer.allocUnsafeSlow(hint);
    let size = 0;
    let overflow: Buffer[] | undefined;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (!overflow && size + chunk.length <= into.length) chunk.copy(into, size);
      else {
        overflow ??= [into.subarray(0, size)];
        overflow.push(chunk);
      }
      size += chunk.length;
    }
    const data = overflow
      ? Buffer.concat(overflow, size)
      : size === into.length
        ? into
        : Buffer.from(into.subarray(0, size));
    const id = randomUUID();
    this.#blobs.set(id, data);
    return { id, size: data.length };
  }

  read(blob: BlobRef, start: number, end: number): Readable {
    return bufferStream(this.bytes(blob, start, end));
  }

  bytes(blob: BlobRef, start: number, end: number): Buffer | undefined {
    const data = this.#blobs.get(blob.id);
    // subarray shares memory: no copy per read.
    return data && end >= start ? data.subarray(start, end + 1) : undefined;
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
