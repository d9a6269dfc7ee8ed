import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/storage.ts';
import { StorageError } from '../../src/storage/storage-error.ts';
import { meteredStream, patternBytes, readAll } from '../helpers/streams.ts';

export interface StorageUnderTest {
  storage: Storage;
  cleanup(): Promise<void>;
  /**
   * What an aborted upload could leave behind, which must be nothing: temp files for the local
   * backend, open multipart uploads for S3 (`key` is the upload's key: MinIO lists uploads only
   * for an exact key). Omit when the backend cannot tell.
   */
  leftovers?(key: string): Promise<string[]>;
}

/** Asserts the promise rejects with a StorageError of this code, and returns it. */
export async function storageFailure(promise: Promise<unknown>, code: string): Promise<StorageError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected StorageError ${code}`).toBeInstanceOf(StorageError);
  expect((caught as StorageError).code).toBe(code);
  return caught as StorageError;
}

/**
 * The behaviour every Storage implementation shares, on a store that does not keep versions (a
 * bucket that never had versioning; test/storage/ covers versioned buckets). Each test works under its own random prefix,
 * so backends may keep state between tests (a bucket) without tests seeing each other.
 */
export function storageContract(name: string, makeStorage: () => Promise<StorageUnderTest>): void {
  describe(`Storage contract: ${name}`, () => {
    let subject: StorageUnderTest;
    let storage: Storage;
    const prefix = () => `contract-${randomUUID()}/`;

    beforeAll(async () => {
      subject = await makeStorage();
      storage = subject.storage;
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    it('put then get returns the same bytes, content type and metadata', async () => {
      const key = `${prefix()}docs/report.pdf`;
      const bytes = patternBytes(5000);
      const put = await storage.put(key, bytes, {
        contentType: 'application/pdf',
        metadata: { 'original-name': 'report%20final.pdf', team: 't1' },
      });
      expect(put).toMatchObject({ key, size: 5000 });
      const got = await storage.get(key);
      expect(got).toMatchObject({
        key,
        size: 5000,
        contentType: 'application/pdf',
        metadata: { 'original-name': 'report%20final.pdf', team: 't1' },
      });
      expect(got.lastModified).toBeInstanceOf(Date);
      expect((await readAll(got.body)).equals(bytes)).toBe(true);
      // Both adapters report the MD5 ETag; a missing one is a regression, not a capability.
      expect(put.etag).toMatch(/^[0-9a-f]{32}$/);
      expect(got.etag).toBe(put.etag);
    });

    it('accepts a stream of many chunks and a Uint8Array', async () => {
      const p = prefix();
      const parts = [patternBytes(1000, 1), patternBytes(3000, 2), patternBytes(7, 3)];
      const streamed = await storage.put(`${p}stream.bin`, Readable.from(parts), {
        contentType: 'application/octet-stream',
      });
      expect(streamed.size).toBe(4007);
      expect((await readAll((await storage.get(`${p}stream.bin`)).body)).equals(Buffer.concat(parts))).toBe(
        true,
      );

      const u8 = new Uint8Array([1, 2, 3, 250]);
      expect((await storage.put(`${p}u8.bin`, u8, { contentType: 'application/octet-stream' })).size).toBe(4);
      expect([...(await readAll((await storage.get(`${p}u8.bin`)).body))]).toEqual([1, 2, 3, 250]);
    });

    it('an empty body is a valid object', async () => {
      const key = `${prefix()}empty.txt`;
      expect((await storage.put(key, Buffer.alloc(0), { contentType: 'text/plain' })).size).toBe(0);
      expect((await storage.head(key)).size).toBe(0);
      expect((await readAll((await storage.get(key)).body)).length).toBe(0);
    });

    it('a non-ASCII (Korean) key round-trips and lists', async () => {
      const p = prefix();
      const key = `${p}문서/팀 인증서 (최종).pdf`;
      await storage.put(key, Buffer.from('한글 내용'), { contentType: 'application/pdf' });
      expect((await readAll((await storage.get(key)).body)).toString('utf8')).toBe('한글 내용');
      expect((await storage.list(p)).map((e) => e.key)).toEqual([key]);
    });

    it('overwriting replaces content, content type and metadata', async () => {
      const key = `${prefix()}same-key`;
      await storage.put(key, Buffer.from('first version'), {
        contentType: 'text/plain',
        metadata: { v: '1' },
      });
      await storage.put(key, Buffer.from('second'), {
        contentType: 'application/json',
        metadata: { w: '2' },
      });
      const got = await storage.get(key);
      expect(got.contentType).toBe('application/json');
      expect(got.metadata).toEqual({ w: '2' });
      expect((await readAll(got.body)).toString()).toBe('second');
    });

    it('concurrent writes to one key leave one complete write, body and metadata matching', async () => {
      const key = `${prefix()}contended`;
      const writers = Array.from({ length: 8 }, (_, i) => i);
      await Promise.all(
        writers.map((i) =>
          storage.put(key, patternBytes(2000 + i * 100, i), {
            contentType: 'application/octet-stream',
            metadata: { writer: String(i) },
          }),
        ),
      );
      const got = await storage.get(key);
      const writer = Number(got.metadata.writer);
      expect(writers).toContain(writer);
      expect((await readAll(got.body)).equals(patternBytes(2000 + writer * 100, writer))).toBe(true);
      expect(got.size).toBe(2000 + writer * 100);
    });

    it('head and exists describe an object without reading it', async () => {
      const key = `${prefix()}head.txt`;
      await storage.put(key, Buffer.from('hello'), {
        contentType: 'text/plain; charset=utf-8',
        metadata: { a: 'b' },
      });
      expect(await storage.head(key)).toMatchObject({
        key,
        size: 5,
        contentType: 'text/plain; charset=utf-8',
        metadata: { a: 'b' },
      });
      expect(await storage.exists(key)).toBe(true);
      expect(await storage.exists(`${key}.missing`)).toBe(false);
    });

    it('a missing object is NOT_FOUND for get and head', async () => {
      const key = `${prefix()}nothing-here`;
      await storageFailure(storage.get(key), 'NOT_FOUND');
      const error = await storageFailure(storage.head(key), 'NOT_FOUND');
      expect(error.key).toBe(key);
    });

    it('a key prefix of an existing object is not itself an object', async () => {
      const p = prefix();
      await storage.put(`${p}dir/file.txt`, Buffer.from('x'), { contentType: 'text/plain' });
      await storageFailure(storage.get(`${p}dir`), 'NOT_FOUND');
      expect(await storage.exists(`${p}dir`)).toBe(false);
    });

    it('delete removes the object; deleting a missing object is not an error', async () => {
      const key = `${prefix()}to-delete`;
      await storage.put(key, Buffer.from('bye'), { contentType: 'text/plain' });
      await storage.delete(key);
      expect(await storage.exists(key)).toBe(false);
      await storageFailure(storage.get(key), 'NOT_FOUND');
      await expect(storage.delete(key)).resolves.toBeUndefined();
    });

    it('list returns every object under a prefix, in key order, and nothing else', async () => {
      const p = prefix();
      const keys = [
        `${p}a/1.txt`,
        `${p}a/2.txt`,
        `${p}a/b/3.txt`,
        `${p}a-sibling.txt`,
        `${p}ab.txt`,
        `${p}c.txt`,
      ];
      for (const [i, key] of keys.entries()) {
        await storage.put(key, Buffer.alloc(i + 1, 1), { contentType: 'text/plain' });
      }
      const all = await storage.list(p);
      expect(all.map((e) => e.key)).toEqual([...keys].sort());
      expect(all.find((e) => e.key === `${p}c.txt`)).toMatchObject({ size: 6 });
      expect(all[0]!.lastModified).toBeInstanceOf(Date);
      expect((await storage.list(`${p}a/`)).map((e) => e.key)).toEqual([
        `${p}a/1.txt`,
        `${p}a/2.txt`,
        `${p}a/b/3.txt`,
      ]);
      expect((await storage.list(`${p}a`)).map((e) => e.key)).toEqual([
        `${p}a-sibling.txt`,
        `${p}a/1.txt`,
        `${p}a/2.txt`,
        `${p}a/b/3.txt`,
        `${p}ab.txt`,
      ]);
      expect(await storage.list(`${p}zzz`)).toEqual([]);
    });

    it('list pages through many objects', async () => {
      const p = prefix();
      const keys = Array.from({ length: 25 }, (_, i) => `${p}item-${String(i).padStart(3, '0')}`);
      await Promise.all(keys.map((key) => storage.put(key, Buffer.from(key), { contentType: 'text/plain' })));
      expect((await storage.list(p)).map((e) => e.key)).toEqual(keys);
    });

    it('a body of exactly maxFileSize is accepted', async () => {
      const key = `${prefix()}exact.bin`;
      const { stream } = meteredStream(storage.maxFileSize, 64 * 1024);
      expect((await storage.put(key, stream, { contentType: 'application/octet-stream' })).size).toBe(
        storage.maxFileSize,
      );
      expect((await storage.head(key)).size).toBe(storage.maxFileSize);
      await storage.delete(key);
    });

    it('an oversize stream is stopped early with TOO_LARGE and leaves nothing behind', async () => {
      const p = prefix();
      const key = `${p}too-big.bin`;
      const total = storage.maxFileSize * 4;
      const { stream, pulled } = meteredStream(total, 64 * 1024);
      const error = await storageFailure(
        storage.put(key, stream, { contentType: 'application/octet-stream' }),
        'TOO_LARGE',
      );
      expect(error.message).toContain('STORAGE_MAX_FILE_SIZE');
      expect(pulled()).toBeLessThan(total / 2);
      expect(await storage.exists(key)).toBe(false);
      expect(await storage.list(p)).toEqual([]);
      if (subject.leftovers) expect(await subject.leftovers(key)).toEqual([]);
    });

    it('an oversize stream does not replace an existing object', async () => {
      const key = `${prefix()}keep-me.txt`;
      await storage.put(key, Buffer.from('original'), { contentType: 'text/plain' });
      const { stream } = meteredStream(storage.maxFileSize + 1, 64 * 1024);
      await storageFailure(storage.put(key, stream, { contentType: 'text/plain' }), 'TOO_LARGE');
      expect((await readAll((await storage.get(key)).body)).toString()).toBe('original');
    });

    it('an oversize Buffer is refused before any transfer', async () => {
      const key = `${prefix()}big-buffer`;
      await storageFailure(
        storage.put(key, Buffer.alloc(storage.maxFileSize + 1), { contentType: 'application/octet-stream' }),
        'TOO_LARGE',
      );
      expect(await storage.exists(key)).toBe(false);
    });

    it('a failing source stream leaves nothing behind', async () => {
      const p = prefix();
      const key = `${p}broken.bin`;
      async function* broken() {
        yield patternBytes(1000);
        throw new Error('client went away');
      }
      await expect(
        storage.put(key, Readable.from(broken()), { contentType: 'text/plain' }),
      ).rejects.toThrow();
      expect(await storage.exists(key)).toBe(false);
      expect(await storage.list(p)).toEqual([]);
      if (subject.leftovers) expect(await subject.leftovers(key)).toEqual([]);
    });

    it.each(['../x', 'a/../../x', '/etc/passwd', 'a\\b', 'a\0b', '', 'a//b', 'a/./b', 'a/', '..', 'C:/x'])(
      'refuses the hostile key %j with INVALID_KEY',
      async (key) => {
        await storageFailure(
          storage.put(key, Buffer.from('x'), { contentType: 'text/plain' }),
          'INVALID_KEY',
        );
        await storageFailure(storage.get(key), 'INVALID_KEY');
        await storageFailure(storage.delete(key), 'INVALID_KEY');
      },
    );

    it('refuses metadata S3 cannot carry, and a content type that is not type/subtype', async () => {
      const key = `${prefix()}meta`;
      await storageFailure(
        storage.put(key, Buffer.from('x'), { contentType: 'text/plain', metadata: { 'Bad Key': 'x' } }),
        'INVALID_METADATA',
      );
      await storageFailure(
        storage.put(key, Buffer.from('x'), { contentType: 'text/plain', metadata: { name: '한글' } }),
        'INVALID_METADATA',
      );
      await storageFailure(
        storage.put(key, Buffer.from('x'), { contentType: 'text/plain\r\nX-Evil: 1' }),
        'INVALID_METADATA',
      );
      expect(await storage.exists(key)).toBe(false);
    });

    it('without versioning, listVersions reports each current object as its one null version', async () => {
      const p = prefix();
      await storage.put(`${p}a.png`, Buffer.from('first'), { contentType: 'image/png' });
      await storage.put(`${p}a.png`, Buffer.from('overwritten'), { contentType: 'image/png' });
      await storage.put(`${p}b.png`, Buffer.from('bb'), { contentType: 'image/png' });
      await storage.put(`${p}c.png`, Buffer.from('gone'), { contentType: 'image/png' });
      await storage.delete(`${p}c.png`);
      const listed = await storage.list(p);

      const versions = await storage.listVersions(p);

      // The overwritten bytes and the deleted object are gone for good: nothing to restore.
      expect(versions).toEqual(
        listed.map((e) => ({
          key: e.key,
          versionId: 'null',
          isLatest: true,
          deleteMarker: false,
          lastModified: e.lastModified,
          size: e.size,
          etag: e.etag,
        })),
      );
      expect(versions.map((v) => [v.key, v.size])).toEqual([
        [`${p}a.png`, 11],
        [`${p}b.png`, 2],
      ]);
      expect(await storage.listVersions(`${p}zzz`)).toEqual([]);
    });

    it('without versioning, restoring the null version changes nothing; any other is NOT_FOUND', async () => {
      const p = prefix();
      const key = `${p}logo.png`;
      const put = await storage.put(key, Buffer.from('current'), { contentType: 'image/png' });

      expect(await storage.restoreVersion(key, 'null')).toMatchObject({
        key,
        size: 7,
        etag: put.etag,
        versionId: 'null',
      });
      expect((await readAll((await storage.get(key)).body)).toString()).toBe('current');
      expect(await storage.listVersions(p)).toHaveLength(1);
      await storageFailure(storage.restoreVersion(key, randomUUID()), 'NOT_FOUND');
      await storage.delete(key);
      await storageFailure(storage.restoreVersion(key, 'null'), 'NOT_FOUND');
      expect(await storage.exists(key)).toBe(false);
      await storageFailure(storage.restoreVersion(key, ''), 'INVALID_VERSION_ID');
      await storageFailure(storage.restoreVersion('../x', 'null'), 'INVALID_KEY');
    });

    it('publicUrl names the object', () => {
      const url = new URL(storage.publicUrl('teams/t1/profile/a b.png'));
      expect(url.href).toContain('teams/t1/profile/a%20b.png');
    });

    it('presigned GET: fetchable with plain fetch when supported, UNSUPPORTED otherwise', async () => {
      const key = `${prefix()}private/doc.txt`;
      await storage.put(key, Buffer.from('secret document'), { contentType: 'text/plain' });
      if (!storage.capabilities.presignedUrls) {
        await storageFailure(storage.presignedGetUrl(key, 60), 'UNSUPPORTED');
        return;
      }
      const response = await fetch(await storage.presignedGetUrl(key, 60));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain');
      expect(await response.text()).toBe('secret document');
    });

    it('presigned PUT: a plain fetch uploads with the signed headers when supported', async () => {
      const key = `${prefix()}uploads/via-put.txt`;
      if (!storage.capabilities.presignedUrls) {
        await storageFailure(storage.presignedPutUrl(key, { contentType: 'text/plain' }), 'UNSUPPORTED');
        return;
      }
      const request = await storage.presignedPutUrl(key, { contentType: 'text/plain', expiresIn: 60 });
      expect(request.method).toBe('PUT');
      const response = await fetch(request.url, {
        method: 'PUT',
        headers: request.headers,
        body: 'uploaded',
      });
      expect(response.status).toBe(200);
      const got = await storage.get(key);
      expect(got.contentType).toBe('text/plain');
      expect((await readAll(got.body)).toString()).toBe('uploaded');
    });
  });
}
