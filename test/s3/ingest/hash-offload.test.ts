// Bodies of 8 MiB and more are hashed on a worker thread (hash-offload.ts): the MD5, and the
// payload's SHA-256 when the request signed one. The ETag is still the MD5 of exactly the bytes
// sent, Content-MD5 and the signed payload hash are still checked, bodies hashed at once do not
// mix, and a body that fails hands its buffers back (the pool is only 8 MiB, so a leak would
// stall every later large body).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../../stack/s3/ingest/checksum.ts';
import { ingest } from '../../../stack/s3/ingest/index.ts';
import type { AuthContext } from '../../../stack/s3/ingest/types.ts';
import { streamError, UNSIGNED } from './fixtures.ts';

const unsigned = UNSIGNED;

/** `size` bytes that differ per body (`seed`) and per position, in socket-sized chunks. */
function bytes(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size + 3);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE((Math.imul(i, 2654435761) + seed) >>> 0, i);
  return b.subarray(0, size);
}

/** `data` as a stream of 64 KiB chunks arriving asynchronously; fails after `failAt` bytes. */
function chunks(data: Buffer, failAt?: number): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (failAt !== undefined && at >= failAt) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (at >= data.length) {
        this.push(null);
        return;
      }
      const c = data.subarray(at, at + 64 * 1024);
      at += c.length;
      setImmediate(() => this.push(c));
    },
  });
}

function run(data: Buffer, headers: Record<string, string> = {}, failAt?: number) {
  return ingest(chunks(data, failAt), {
    auth: unsigned,
    headers: { 'content-length': String(data.length), ...headers },
    maxBytes: 64 * 1024 * 1024,
  });
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest();
const sha256Hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A header-signed request whose x-amz-content-sha256 is `hash`. */
function signedFor(hash: string): AuthContext {
  return { ...unsigned, payload: 'signed', contentSha256: hash };
}
const SIZE = 9 * 1024 * 1024 + 3;

describe('MD5 of large bodies on a worker', () => {
  it('is the MD5 of every byte, and the bytes pass through unchanged', async () => {
    const data = bytes(SIZE, 1);
    const got = run(data);
    expect((await buffer(got.body)).equals(data)).toBe(true);
    expect(got.result().md5Hex).toBe(md5(data).toString('hex'));
  });

  it('checks Content-MD5: a wrong one is BadDigest, the right one passes', async () => {
    const data = bytes(SIZE, 2);
    const wrong = md5(bytes(16, 3)).toString('base64');
    const err = await streamError(run(data, { 'content-md5': wrong }).body);
    expect([err.code, err.status]).toEqual(['BadDigest', 400]);
    const ok = run(data, { 'content-md5': md5(data).toString('base64') });
    await buffer(ok.body);
    expect(ok.result().md5Hex).toBe(md5(data).toString('hex'));
  });

  it('checks a signed payload hash on the worker: the right one passes, a wrong one names both', async () => {
    const data = bytes(SIZE, 9);
    const ok = ingest(chunks(data), {
      auth: signedFor(sha256Hex(data)),
      headers: { 'content-length': String(data.length) },
      maxBytes: 64 * 1024 * 1024,
    });
    expect((await buffer(ok.body)).equals(data)).toBe(true);
    expect(ok.result().md5Hex).toBe(md5(data).toString('hex'));

    // The hash of other bytes of the same length: only hashing every byte finds the difference.
    const claimed = sha256Hex(bytes(SIZE, 10));
    const bad = ingest(chunks(data), {
      auth: signedFor(claimed),
      headers: { 'content-length': String(data.length) },
      maxBytes: 64 * 1024 * 1024,
    });
    const err = await streamError(bad.body);
    expect([err.code, err.status]).toEqual(['XAmzContentSHA256Mismatch', 400]);
    expect(err.extra).toEqual({
      ClientComputedContentSHA256: claimed,
      S3ComputedContentSHA256: sha256Hex(data),
    });
  });

  it('checks a declared checksum of every algorithm, worker-computed or not', async () => {
    const data = bytes(SIZE, 14);
    const other = bytes(SIZE, 15);
    for (const alg of ['CRC32', 'SHA1', 'SHA256', 'CRC32C', 'CRC64NVME'] as const) {
      const header = `x-amz-checksum-${alg.toLowerCase()}`;
      const ok = run(data, { [header]: checksumOf(alg, data) });
      await buffer(ok.body);
      expect(ok.result().checksum).toEqual({ algorithm: alg, value: checksumOf(alg, data) });
      expect(ok.result().computed[alg]).toBe(checksumOf(alg, data));
      const err = await streamError(run(data, { [header]: checksumOf(alg, other) }).body);
      expect([alg, err.code, err.status]).toEqual([alg, 'BadDigest', 400]);
    }
  });

  it('one SHA-256 serves a signed payload and a declared SHA256 checksum', async () => {
    const data = bytes(SIZE, 16);
    const ok = ingest(chunks(data), {
      auth: signedFor(sha256Hex(data)),
      headers: { 'content-length': String(data.length), 'x-amz-checksum-sha256': checksumOf('SHA256', data) },
      maxBytes: 64 * 1024 * 1024,
    });
    await buffer(ok.body);
    expect(ok.result().checksum).toEqual({ algorithm: 'SHA256', value: checksumOf('SHA256', data) });
    const bad = ingest(chunks(data), {
      auth: signedFor(sha256Hex(data)),
      headers: {
        'content-length': String(data.length),
        'x-amz-checksum-sha256': checksumOf('SHA256', bytes(SIZE, 17)),
      },
      maxBytes: 64 * 1024 * 1024,
    });
    expect((await streamError(bad.body)).code).toBe('BadDigest');
  });

  it('checks a CRC32 trailer of a large aws-chunked body (what the SDK sends for a stream)', async () => {
    const data = bytes(SIZE, 18);
    const framed = (crc: string) =>
      Buffer.concat([
        Buffer.from(`${data.length.toString(16)}\r\n`),
        data,
        Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`),
      ]);
    const send = (body: Buffer) =>
      ingest(chunks(body), {
        auth: {
          ...unsigned,
          payload: 'streaming-unsigned-trailer',
          contentSha256: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        },
        headers: {
          'content-length': String(body.length),
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': String(data.length),
          'x-amz-trailer': 'x-amz-checksum-crc32',
        },
        maxBytes: 64 * 1024 * 1024,
      });
    const ok = send(framed(checksumOf('CRC32', data)));
    expect((await buffer(ok.body)).equals(data)).toBe(true);
    expect(ok.result().checksum).toEqual({ algorithm: 'CRC32', value: checksumOf('CRC32', data) });
    const err = await streamError(send(framed(checksumOf('CRC32', bytes(SIZE, 19)))).body);
    expect(err.code).toBe('BadDigest');
  });

  it('computes the extra algorithm asked for beside the declared one', async () => {
    const data = bytes(SIZE, 20);
    const got = ingest(chunks(data), {
      auth: unsigned,
      headers: { 'content-length': String(data.length), 'x-amz-checksum-sha1': checksumOf('SHA1', data) },
      maxBytes: 64 * 1024 * 1024,
      extraAlgorithm: 'CRC32',
    });
    await buffer(got.body);
    expect(got.result().computed).toEqual({
      SHA1: checksumOf('SHA1', data),
      CRC32: checksumOf('CRC32', data),
    });
  });

  it('keeps bodies hashed at the same time apart', async () => {
    const bodies = [bytes(SIZE, 4), bytes(SIZE + 1000, 5), bytes(SIZE - 7, 6)];
    const runs = bodies.map((b) => run(b));
    await Promise.all(runs.map((r) => buffer(r.body)));
    expect(runs.map((r) => r.result().md5Hex)).toEqual(bodies.map((b) => md5(b).toString('hex')));
  });

  it('keeps signed and unsigned bodies hashed at the same time apart', async () => {
    const bodies = [bytes(SIZE, 11), bytes(SIZE + 5, 12), bytes(SIZE - 9, 13)];
    const runs = bodies.map((b, i) =>
      ingest(chunks(b), {
        auth: i === 1 ? unsigned : signedFor(sha256Hex(b)),
        headers: { 'content-length': String(b.length) },
        maxBytes: 64 * 1024 * 1024,
      }),
    );
    await Promise.all(runs.map((r) => buffer(r.body)));
    expect(runs.map((r) => r.result().md5Hex)).toEqual(bodies.map((b) => md5(b).toString('hex')));
  });

  it('gives its buffers back when a body fails, so later bodies still hash', async () => {
    const data = bytes(SIZE, 7);
    // More failed bodies than the pool has buffers, each failing with a buffer half filled.
    for (let i = 0; i < 12; i++) {
      const err = await streamError(run(data, {}, (512 + (i % 8) * 1024) * 1024).body);
      expect(err.code).toBe('IncompleteBody');
    }
    const ok = run(data);
    await buffer(ok.body);
    expect(ok.result().md5Hex).toBe(md5(data).toString('hex'));
  });

  it('a body shorter than its Content-Length is IncompleteBody, not a digest', async () => {
    const data = bytes(SIZE, 8);
    const short = ingest(chunks(data.subarray(0, SIZE - 10)), {
      auth: unsigned,
      headers: { 'content-length': String(SIZE) },
      maxBytes: 64 * 1024 * 1024,
    });
    const err = await streamError(short.body);
    expect([err.code, err.status]).toEqual(['IncompleteBody', 400]);
  });
});
