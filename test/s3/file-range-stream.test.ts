// Disk blob reads (file-range-stream.ts): a range sent straight to an HTTP response from two
// reused buffers arrives byte for byte, also for several responses at once sharing the pool;
// a client that goes away or a file shorter than its range fails the send and closes the
// file; the plain readable gives the same bytes.
import { createHash } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRangeStream } from '../../stack/s3/storage/file-range-stream.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function file(size: number, seed: number): Promise<{ path: string; data: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'range-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const data = createHash('sha256').update(String(seed)).digest();
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 32) data.copy(out, i, 0, Math.min(32, size - i));
  // A position-dependent pattern, so a shifted or repeated buffer shows.
  for (let i = 0; i < size; i += 4096) out.writeUInt32LE(i, i);
  const path = join(dir, 'blob');
  await writeFile(path, out);
  return { path, data: out };
}

/**
 * A server whose every response is the send of the stream `make` builds for it; `sent` gets
 * each send's outcome: undefined, or the error it failed with.
 */
async function server(make: () => FileRangeStream, sent: Promise<Error | undefined>[]): Promise<string> {
  const s: Server = createServer((_req, res) => {
    const src = make();
    sent.push(
      src.sendTo(res).then(
        () => undefined,
        (err: Error) => err,
      ),
    );
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => s.close(() => r())));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}

function fetchRaw(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, resolve).on('error', reject));
}

/**
 * Descriptors of this process open on `path`. Counting them all was flaky: test files share
 * the process, and others open and close files meanwhile.
 */
const fdsOn = (path: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false; // closed while we looked
    }
  }).length;

describe('FileRangeStream.sendTo', () => {
  it('sends whole files and ranges across buffer boundaries byte for byte, and closes', async () => {
    const { path, data } = await file(5 * 1024 * 1024 + 123, 1);
    const ranges: [number, number][] = [
      [0, data.length - 1],
      [1024 * 1024 - 10, 3 * 1024 * 1024 + 10],
      [7, 7],
      [data.length - 5, data.length - 1],
    ];
    for (const [start, end] of ranges) {
      const sent: Promise<Error | undefined>[] = [];
      let closed: Promise<void> | undefined;
      const url = await server(() => {
        const s = new FileRangeStream(path, start, end);
        closed = new Promise((r) => s.once('close', () => r()));
        return s;
      }, sent);
      const body = await buffer(await fetchRaw(url));
      expect(await sent[0]).toBeUndefined();
      expect(body.equals(data.subarray(start, end + 1))).toBe(true);
      // The stream closes (a test timeout if it never does), its file with it.
      await closed;
      expect(fdsOn(path)).toBe(0);
    }
  });

  it('keeps several sends at once apart, through the shared buffers, again and again', async () => {
    const files = await Promise.all([1, 2, 3, 4].map((seed) => file(3 * 1024 * 1024 + seed * 1000, seed)));
    let next = 0;
    const sent: Promise<Error | undefined>[] = [];
    const url = await server(() => {
      const f = files[next++ % files.length]!;
      return new FileRangeStream(f.path, 0, f.data.length - 1);
    }, sent);
    for (let round = 0; round < 3; round++) {
      const bodies = await Promise.all(files.map(async () => buffer(await fetchRaw(url))));
      for (const [i, b] of bodies.entries()) expect(b.equals(files[i]!.data)).toBe(true);
    }
    expect(await Promise.all(sent)).toEqual(sent.map(() => undefined));
  });

  it('fails the send and closes the file when the client goes away', async () => {
    const { path } = await file(16 * 1024 * 1024, 5);
    const sent: Promise<Error | undefined>[] = [];
    let stream: FileRangeStream | undefined;
    const url = await server(() => {
      stream = new FileRangeStream(path, 0, 16 * 1024 * 1024 - 1);
      return stream;
    }, sent);
    const res = await fetchRaw(url);
    // Read a little, then hang up.
    await new Promise<void>((r) => res.once('data', () => r()));
    expect(fdsOn(path)).toBe(1);
    res.destroy();
    expect(await sent[0]).toBeInstanceOf(Error);
    await new Promise<void>((r) =>
      stream!.destroyed && stream!.closed ? r() : stream!.once('close', () => r()),
    );
    expect(fdsOn(path)).toBe(0);
  });

  it('fails when the file is shorter than its range, and the client sees a cut body', async () => {
    const { path, data } = await file(2 * 1024 * 1024, 6);
    const sent: Promise<Error | undefined>[] = [];
    const url = await server(() => new FileRangeStream(path, 0, data.length + 5 * 1024 * 1024), sent);
    const res = await fetchRaw(url);
    await expect(buffer(res)).rejects.toThrow();
    expect(await sent[0]).toMatchObject({ code: 'ERR_BLOB_SHORT' });
  });
});

describe('FileRangeStream.sendTo, against a response that holds its writes', () => {
  /**
   * A response that takes writes at once until it has `takeFirst` bytes, then holds their
   * callbacks (and so its finish) until `release()`: a client that stopped reading.
   */
  function heldResponse(takeFirst = 0) {
    const held: (() => void)[] = [];
    let taken = 0;
    const res = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (taken + chunk.length <= takeFirst) {
          taken += chunk.length;
          cb();
        } else held.push(() => cb());
      },
    });
    const release = () => {
      for (const cb of held.splice(0)) cb();
    };
    return { res, release };
  }

  it('closes the file right after its last read, before the client has taken the bytes', async () => {
    const { path, data } = await file(3 * 1024 * 1024 + 5, 9);
    const src = new FileRangeStream(path, 0, data.length - 1);
    // All but the last buffer taken: the last one stays with the stalled client.
    const { res, release } = heldResponse(3 * 1024 * 1024);
    const sent = src.sendTo(res as never);
    await new Promise<void>((r) => src.once('close', () => r()));
    expect(res.writableFinished).toBe(false);
    release();
    await sent;
  });

  it('uses one buffer the size of a short range', async () => {
    const { path, data } = await file(100_000, 10);
    const src = new FileRangeStream(path, 10, 20);
    const chunks: Buffer[] = [];
    const res = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    await src.sendTo(res as never);
    expect(chunks.map((c) => c.buffer.byteLength)).toEqual([11]);
    expect(Buffer.concat(chunks).equals(data.subarray(10, 21))).toBe(true);
  });

  it('fails the send when the stream is destroyed under it, and reads no more', async () => {
    const { path, data } = await file(6 * 1024 * 1024, 11);
    const src = new FileRangeStream(path, 0, data.length - 1);
    const { res, release } = heldResponse();
    const sent = src.sendTo(res as never).then(
      () => undefined,
      (e: Error) => e,
    );
    await new Promise((r) => setImmediate(r));
    src.destroy();
    expect(await sent).toBeInstanceOf(Error);
    release();
    expect(res.destroyed).toBe(true);
  });
});

describe('FileRangeStream as a readable', () => {
  it('reads a range byte for byte', async () => {
    const { path, data } = await file(3 * 1024 * 1024 + 17, 7);
    const got = await buffer(new FileRangeStream(path, 100, 2 * 1024 * 1024 + 100));
    expect(got.equals(data.subarray(100, 2 * 1024 * 1024 + 101))).toBe(true);
  });

  it('errors on a missing file and on a short one', async () => {
    await expect(buffer(new FileRangeStream('/nonexistent/blob', 0, 10))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    const { path } = await file(1000, 8);
    await expect(buffer(new FileRangeStream(path, 0, 5000))).rejects.toMatchObject({
      code: 'ERR_BLOB_SHORT',
    });
  });
});
