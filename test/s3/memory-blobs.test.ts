// Memory blobs keep large chunks as they arrived and copy short runs into segments: every
// range of every shape of body reads back exactly, through bytes() and read(), and a short
// body never shares memory with the buffers it came from.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { memoryBackends } from '../../stack/s3/storage/memory-backend.ts';

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** A body from these chunk sizes, each chunk filled from one running pattern. */
function chunks(sizes: number[]): { chunks: Buffer[]; whole: Buffer } {
  let n = 0;
  const out = sizes.map((size) => {
    const b = Buffer.alloc(size);
    for (let i = 0; i < size; i++) b[i] = (n++ * 7 + 3) & 0xff;
    return b;
  });
  return { chunks: out, whole: Buffer.concat(out) };
}

const SHAPES: Record<string, number[]> = {
  'one short chunk': [1000],
  'one long chunk': [100_000],
  'long chunks': [65_536, 65_536, 40_000],
  'a large body in long chunks': Array.from({ length: 20 }, (_, i) => 65_536 - i),
  'a large body of short and long chunks': Array.from({ length: 90 }, (_, i) => (i % 3 === 0 ? 40_000 : 700)),
  'a trickle of tiny chunks': Array.from({ length: 3000 }, (_, i) => 1 + (i % 97)),
  'short and long mixed': [10, 20_000, 5, 5, 5, 70_000, 100, 16_384, 16_383, 1],
  'with empty chunks': [0, 30_000, 0, 3, 0],
};

describe('memory blobs', () => {
  for (const [name, sizes] of Object.entries(SHAPES)) {
    it(`reads back every range of ${name}`, async () => {
      const { blobs } = memoryBackends();
      const { chunks: parts, whole } = chunks(sizes);
      const ref = await blobs.write(Readable.from(parts));
      expect(ref.size).toBe(whole.length);
      const last = whole.length - 1;
      const ranges: [number, number][] = [
        [0, last],
        [0, 0],
        [last, last],
        [1, last - 1],
        [Math.floor(last / 3), Math.floor((2 * last) / 3)],
      ];
      for (let at = 16_000; at < whole.length; at += 16_384) ranges.push([at - 3, Math.min(last, at + 3)]);
      for (const [start, end] of ranges) {
        const expected = whole.subarray(start, end + 1);
        expect((await collect(blobs.read(ref, start, end))).equals(expected)).toBe(true);
        const direct = blobs.bytes!(ref, start, end);
        if (direct) expect(direct.equals(expected)).toBe(true);
      }
      // An empty range reads as nothing.
      expect((await collect(blobs.read(ref, 5, 4))).length).toBe(0);
    });
  }

  it('answers bytes() in one piece for a short body and for a range inside one segment', async () => {
    const { blobs } = memoryBackends();
    const small = await blobs.write(Readable.from(chunks([500, 500]).chunks));
    expect(blobs.bytes!(small, 0, 999)?.length).toBe(1000);
    // Up to a MiB is one buffer, however it arrived.
    const medium = await blobs.write(Readable.from(chunks([65_000, 536, 20_000]).chunks));
    expect(blobs.bytes!(medium, 0, 85_535)?.length).toBe(85_536);
    const big = await blobs.write(Readable.from(chunks(Array.from({ length: 20 }, () => 65_536)).chunks));
    expect(blobs.bytes!(big, 10, 20)?.length).toBe(11);
    // Across two segments of a large body: the caller streams instead.
    expect(blobs.bytes!(big, 65_530, 65_540)).toBeUndefined();
  });

  it('copies a short body, so changing the source buffer afterwards changes nothing', async () => {
    const { blobs } = memoryBackends();
    const source = Buffer.from('hello world');
    const ref = await blobs.write(Readable.from([source]));
    source.fill(0);
    expect(blobs.bytes!(ref, 0, ref.size - 1)!.toString()).toBe('hello world');
  });
});
