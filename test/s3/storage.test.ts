// Storage: hostile keys stay inside the data directory on both backends; disk storage keeps
// everything across a restart; a crash mid-upload leaves nothing visible; concurrent
// conditional writes to one key admit exactly one winner.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketCorsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { type S3Server, type S3ServerOptions, startS3Server } from '../../stack/s3/server.ts';
import { s3Error } from '../contract/s3-contract.ts';
import { client, ROOT } from './fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 's3-storage-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function start(opts: S3ServerOptions): Promise<S3Server> {
  const srv = await startS3Server({ identities: [ROOT], ...opts });
  cleanups.push(() => srv.stop());
  return srv;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(p, ...(await walk(p)));
    else out.push(p);
  }
  return out;
}

const HOSTILE_KEYS = [
  '../escape.txt',
  '../../../../../../tmp/escape.txt',
  '/absolute/path',
  '..',
  '.',
  'a/../../b',
  'nul\u0000byte',
  '%00percent-zero',
  '/'.repeat(1024),
  'unicode/한글/ü/🎉/ﬀ',
  'back\\slash\\..\\..\\x',
  'CON',
  'trailing.',
  ' spaces ',
];

for (const kind of ['memory', 'disk'] as const) {
  describe(`hostile keys on ${kind} storage`, () => {
    it('stores, lists, reads and deletes every hostile key without leaving the data directory', async () => {
      const parent = await tempDir();
      const dataDir = join(parent, 'data');
      const srv = await start({ storage: kind === 'disk' ? { type: 'disk', dir: dataDir } : 'memory' });
      const s3 = client(srv.url);
      cleanups.push(async () => s3.destroy());
      await s3.send(new CreateBucketCommand({ Bucket: 'hostile' }));
      for (const [i, key] of HOSTILE_KEYS.entries()) {
        await s3.send(new PutObjectCommand({ Bucket: 'hostile', Key: key, Body: `value-${i}` }));
      }
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'hostile' }));
      expect(listed.Contents?.map((c) => c.Key).sort()).toEqual([...HOSTILE_KEYS].sort());
      for (const [i, key] of HOSTILE_KEYS.entries()) {
        const g = await s3.send(new GetObjectCommand({ Bucket: 'hostile', Key: key }));
        expect(await g.Body!.transformToString()).toBe(`value-${i}`);
      }
      // Nothing outside the data directory; inside it, only our own layout.
      expect((await readdir(parent)).filter((f) => f !== 'data')).toEqual(kind === 'disk' ? [] : []);
      if (kind === 'disk') {
        const files = await walk(dataDir);
        for (const f of files) {
          expect(resolve(f).startsWith(resolve(dataDir))).toBe(true);
          expect(relative(dataDir, f)).toMatch(/^(tmp|blobs|meta)(\/|$)/);
          expect(f).not.toContain('escape');
        }
      }
      for (const key of HOSTILE_KEYS) await s3.send(new DeleteObjectCommand({ Bucket: 'hostile', Key: key }));
      const after = await s3.send(new ListObjectsV2Command({ Bucket: 'hostile' }));
      expect(after.KeyCount).toBe(0);
    });
  });
}

describe('disk storage across restarts', () => {
  it('keeps buckets, configs, objects and in-progress multipart uploads', async () => {
    const dir = await tempDir();
    const first = await startS3Server({ identities: [ROOT], storage: { type: 'disk', dir } });
    let s3 = client(first.url);
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'keep',
        CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-2' },
      }),
    );
    s3.destroy();
    s3 = client(first.url, ROOT, 'ap-northeast-2');
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: 'keep',
        CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] },
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: 'keep', Key: 'a/one.txt', Body: 'one', Metadata: { m: '1' } }),
    );
    const part = Buffer.alloc(5 * 1024 * 1024, 1);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'keep', Key: 'big.bin' }));
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: 'keep', Key: 'big.bin', UploadId, PartNumber: 1, Body: part }),
    );
    s3.destroy();
    await first.stop();

    const second = await start({ storage: { type: 'disk', dir } });
    s3 = client(second.url, ROOT, 'ap-northeast-2');
    cleanups.push(async () => s3.destroy());
    expect(second.listBuckets()).toMatchObject([{ name: 'keep', region: 'ap-northeast-2' }]);
    const g = await s3.send(new GetObjectCommand({ Bucket: 'keep', Key: 'a/one.txt' }));
    expect(await g.Body!.transformToString()).toBe('one');
    expect(g.Metadata).toEqual({ m: '1' });
    expect(
      (await s3.send(new GetBucketCorsCommand({ Bucket: 'keep' }))).CORSRules?.[0]?.AllowedOrigins,
    ).toEqual(['*']);
    const ups = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'keep' }));
    expect(ups.Uploads?.map((u) => u.UploadId)).toEqual([UploadId]);
    const p2 = await s3.send(
      new UploadPartCommand({ Bucket: 'keep', Key: 'big.bin', UploadId, PartNumber: 2, Body: 'tail' }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'keep',
        Key: 'big.bin',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    );
    const big = await second.getObject('keep', 'big.bin');
    expect(big?.body.length).toBe(part.length + 4);
  });

  it('shows nothing of an upload interrupted by a crash, and cleans its leftovers', async () => {
    const dir = await tempDir();
    const first = await startS3Server({ identities: [ROOT], storage: { type: 'disk', dir } });
    const s3 = client(first.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'crash' }));
    await s3.send(new PutObjectCommand({ Bucket: 'crash', Key: 'kept', Body: 'kept' }));
    s3.destroy();
    await first.stop();
    // What a process killed mid-write leaves: a temp file, and a blob no record points at.
    await writeFile(join(dir, 'tmp', 'partial-upload'), Buffer.alloc(1000, 1));
    const orphanDir = join(dir, 'blobs', 'ff');
    await import('node:fs/promises').then((fs) => fs.mkdir(orphanDir, { recursive: true }));
    await writeFile(join(orphanDir, 'ff00orphan'), 'orphan');

    const second = await start({ storage: { type: 'disk', dir } });
    expect(second.listObjects('crash').map((o) => o.key)).toEqual(['kept']);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await readdir(orphanDir)).toEqual([]);
  });
});

describe('interrupted uploads on disk', () => {
  it('leaves no object and no temp file when the client hangs up mid-body', async () => {
    const dir = await tempDir();
    const srv = await start({ storage: { type: 'disk', dir } });
    const s3 = client(srv.url);
    cleanups.push(async () => s3.destroy());
    await s3.send(new CreateBucketCommand({ Bucket: 'cut' }));
    const { signHeaders } = await import('./raw-request.ts');
    const { connect } = await import('node:net');
    const headers = await signHeaders({
      method: 'PUT',
      path: '/cut/half',
      host: new URL(srv.url).host,
      identity: ROOT,
      contentSha256: 'UNSIGNED-PAYLOAD',
      headers: { 'content-length': String(4 * 1024 * 1024) },
    });
    const logged = new Promise<void>((resolveLog) => {
      const off = srv.on('request', (e) => {
        if (e.key === 'half') {
          off();
          resolveLog();
        }
      });
    });
    const sock = connect(srv.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(
      [`PUT /cut/half HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join(
        '\r\n',
      ),
    );
    sock.write(Buffer.alloc(1024 * 1024, 1));
    sock.destroy();
    await logged;
    expect(srv.headObject('cut', 'half')).toBeUndefined();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect((await walk(join(dir, 'blobs'))).filter((f) => !f.endsWith('blobs'))).toEqual([]);
    const ok = await s3.send(new ListObjectsV2Command({ Bucket: 'cut' }));
    expect(ok.KeyCount).toBe(0);
  });
});

describe('concurrency', () => {
  for (const kind of ['memory', 'disk'] as const) {
    it(`16 parallel If-None-Match: * PUTs to one key on ${kind}: exactly one wins`, async () => {
      const dir = await tempDir();
      const srv = await start({ storage: kind === 'disk' ? { type: 'disk', dir } : 'memory' });
      const s3 = client(srv.url);
      cleanups.push(async () => s3.destroy());
      await s3.send(new CreateBucketCommand({ Bucket: 'race' }));
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, i) =>
          s3.send(
            new PutObjectCommand({ Bucket: 'race', Key: 'once', Body: `writer-${i}`, IfNoneMatch: '*' }),
          ),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost.every((r) => (r.reason as { name: string }).name === 'PreconditionFailed')).toBe(true);
      const stored = await srv.getObject('race', 'once');
      expect(stored?.body.toString()).toMatch(/^writer-\d+$/);
    });
  }

  it('serializes plain concurrent writers: the object is always one whole version', async () => {
    const srv = await start({});
    const s3 = client(srv.url);
    cleanups.push(async () => s3.destroy());
    await s3.send(new CreateBucketCommand({ Bucket: 'lww' }));
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(100_000 + i, i));
    await Promise.all(bodies.map((b) => s3.send(new PutObjectCommand({ Bucket: 'lww', Key: 'k', Body: b }))));
    const stored = await srv.getObject('lww', 'k');
    expect(bodies.some((b) => b.equals(stored!.body))).toBe(true);
    const missing = await s3Error(() =>
      s3.send(new PutObjectCommand({ Bucket: 'lww', Key: 'absent', Body: 'x', IfMatch: '"abc"' })),
    );
    expect(missing.name).toBe('NoSuchKey');
  });
});
