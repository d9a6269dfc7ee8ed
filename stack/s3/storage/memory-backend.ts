// Memory storage: blobs are Buffers, records live only in the store's index.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { bufferStream } from './buffer-stream.ts';
import type { Backends, BlobBackend, BlobRef, LoadedState, MetaBackend } from './types.ts';

class MemoryBlobs implements BlobBackend {
  readonly #blobs = new Map<string, Buffer>();

  async write(body: Readable): Promise<BlobRef> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    const id = randomUUID();
    this.#blobs.set(id, data);
    return { id, size: data.length };
  }

  read(blob: BlobRef, start: number, end: number): Readable {
    const data = this.#blobs.get(blob.id);
    // subarray shares memory: no copy per read.
    return bufferStream(data && end >= start ? data.subarray(start, end + 1) : undefined);
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
  async saveObject() {},
  async deleteObject() {},
  async saveUpload() {},
  async deleteUpload() {},
};

export function memoryBackends(): Backends {
  return { blobs: new MemoryBlobs(), meta: noMeta };
}
