import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/index.ts';
import { createStorage } from '../../src/storage/create-storage.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { storageFailure } from '../contract/storage-contract.ts';
import { meteredStream, patternBytes, readAll } from '../helpers/streams.ts';

let base: string;
let root: string;
let storage: LocalStorage;

/** Every file under dir, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'local-storage-'));
  root = join(base, 'uploads');
  storage = new LocalStorage({ root, maxFileSize: 64 * 1024 });
});
afterEach(() => rm(base, { recursive: true, force: true }));

describe('LocalStorage on disk', () => {
  it('stores the object at root/<key>, browsable as-is, with a sidecar under .storage/meta', async () => {
    await storage.put('verifications/t1/doc.pdf', Buffer.from('%PDF-1.7'), {
      contentType: 'application/pdf',
      metadata: { team: 't1' },
    });
    expect(await readFile(join(root, 'verifications/t1/doc.pdf'), 'utf8')).toBe('%PDF-1.7');
    const sidecar = JSON.parse(
      await readFile(join(root, '.storage/meta/verifications/t1/doc.pdf.json'), 'utf8'),
    );
    expect(sidecar).toMatchObject({ contentType: 'application/pdf', metadata: { team: 't1' } });
    expect(await tree(root)).toEqual([
      '.storage/meta/verifications/t1/doc.pdf.json',
      'verifications/t1/doc.pdf',
    ]);
  });

  it.each(['../x', 'a/../../x', '/etc/passwd', 'a\\b', 'a\0b', '', '../uploads-sibling/x', 'a/../b'])(
    'refuses %j and writes nothing anywhere',
    async (key) => {
      await storageFailure(
        storage.put(key, Buffer.from('pwned'), { contentType: 'text/plain' }),
        'INVALID_KEY',
      );
      await storageFailure(storage.head(key), 'INVALID_KEY');
      await storageFailure(storage.exists(key), 'INVALID_KEY');
      expect(() => storage.publicUrl(key)).toThrow(/invalid object key/);
      expect(await tree(base)).toEqual([]);
    },
  );

  it('keeps no earlier versions (like a bucket that never had versioning)', async () => {
    expect(storage.capabilities.versions).toBe(false);
  });

  it('refuses keys inside its reserved .storage directory', async () => {
    await storageFailure(
      storage.put('.storage/meta/x.json', Buffer.from('{}'), { contentType: 'text/plain' }),
      'INVALID_KEY',
    );
    await storageFailure(
      storage.put('.storage', Buffer.from('{}'), { contentType: 'text/plain' }),
      'INVALID_KEY',
    );
  });

  it('an oversize stream leaves no file, no temp file and no directory for the key', async () => {
    const { stream, pulled } = meteredStream(1024 * 1024, 8 * 1024);
    const error = await storageFailure(
      storage.put('chat/room1/big.bin', stream, { contentType: 'application/octet-stream' }),
      'TOO_LARGE',
    );
    expect(error.code).toBe('TOO_LARGE');
    // Stream buffering reads ahead a little; the point is stopping far before the 1 MiB body ends.
    expect(pulled()).toBeLessThan(3 * 64 * 1024);
    expect(await tree(root)).toEqual([]);
    expect(await readdir(join(root, '.storage/tmp'))).toEqual([]);
    expect(await readdir(root)).toEqual(['.storage']);
  });

  it('concurrent writes to one key: the file and its sidecar always belong to the same write, no temp left', async () => {
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          storage.put('chat/r/same.bin', patternBytes(1000 + i, i), {
            contentType: 'application/octet-stream',
            metadata: { writer: String(i) },
          }),
        ),
      );
      const got = await storage.get('chat/r/same.bin');
      const writer = Number(got.metadata.writer);
      expect((await readAll(got.body)).equals(patternBytes(1000 + writer, writer))).toBe(true);
    }
    expect(await readdir(join(root, '.storage/tmp'))).toEqual([]);
  });

  it('an object cannot also be the "directory" of another key on disk: INVALID_KEY, first object intact', async () => {
    await storage.put('a', Buffer.from('file'), { contentType: 'text/plain' });
    const error = await storageFailure(
      storage.put('a/b', Buffer.from('x'), { contentType: 'text/plain' }),
      'INVALID_KEY',
    );
    expect(error.message).toContain('conflicts with another key');
    expect((await readAll((await storage.get('a')).body)).toString()).toBe('file');
    await storage.put('d/e', Buffer.from('x'), { contentType: 'text/plain' });
    await storageFailure(storage.put('d', Buffer.from('x'), { contentType: 'text/plain' }), 'INVALID_KEY');
    expect(await readdir(join(root, '.storage/tmp'))).toEqual([]);
  });

  it('serves a file dropped into the folder by hand as application/octet-stream', async () => {
    await mkdir(join(root, 'manual'), { recursive: true });
    await writeFile(join(root, 'manual/readme.txt'), 'by hand');
    const got = await storage.get('manual/readme.txt');
    expect(got).toMatchObject({ contentType: 'application/octet-stream', metadata: {}, size: 7 });
    expect((await readAll(got.body)).toString()).toBe('by hand');
  });

  it('lists by prefix without its internal files', async () => {
    await storage.put('chat/r1/a.txt', Buffer.from('a'), { contentType: 'text/plain' });
    await storage.put('chat/r2/b.txt', Buffer.from('bb'), { contentType: 'text/plain' });
    await storage.put('teams/t/profile/c.png', Buffer.from('c'), { contentType: 'image/png' });
    expect((await storage.list('')).map((e) => e.key)).toEqual([
      'chat/r1/a.txt',
      'chat/r2/b.txt',
      'teams/t/profile/c.png',
    ]);
    expect(await storage.list('chat/r2/')).toEqual([
      expect.objectContaining({
        key: 'chat/r2/b.txt',
        size: 2,
        etag: expect.stringMatching(/^[0-9a-f]{32}$/),
      }),
    ]);
  });

  it('reports the MD5 of the content as ETag, as S3 does for a single-part upload', async () => {
    const put = await storage.put('x.txt', Buffer.from('hello'), { contentType: 'text/plain' });
    expect(put.etag).toBe('5d41402abc4b2a76b9719d911017c592');
  });

  it('publicUrl: a file URL by default, or under publicBaseUrl', () => {
    expect(storage.publicUrl('teams/t1/profile/a b.png')).toBe(`file://${root}/teams/t1/profile/a%20b.png`);
    const served = new LocalStorage({
      root,
      maxFileSize: 1,
      publicBaseUrl: 'http://localhost:8000/uploads/',
    });
    expect(served.publicUrl('teams/t1/profile/a b.png')).toBe(
      'http://localhost:8000/uploads/teams/t1/profile/a%20b.png',
    );
  });

  it('createStorage builds a LocalStorage from settings, relative to cwd', async () => {
    const settings = loadSettings({ STORAGE_LOCAL_PATH: './files', STORAGE_MAX_FILE_SIZE: '10' });
    await using s = createStorage(settings.storage, { cwd: base });
    expect(s.kind).toBe('local');
    await s.put('k.txt', Buffer.from('0123456789'), { contentType: 'text/plain' });
    expect(await readFile(join(base, 'files/k.txt'), 'utf8')).toBe('0123456789');
    await storageFailure(
      s.put('k2.txt', Buffer.from('01234567890'), { contentType: 'text/plain' }),
      'TOO_LARGE',
    );
  });
});
