// The AWS CLI (Debian's /usr/bin/aws, v2) against the embedded server.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../s3/fixtures.ts';
import { type ClientHarness, clientHarness, md5 } from './harness.ts';

const AWS = '/usr/bin/aws';
let h: ClientHarness;
let env: Record<string, string>;

beforeAll(async () => {
  h = await clientHarness();
  const config = join(h.dir, 'aws-config');
  const credentials = join(h.dir, 'aws-credentials');
  await writeFile(
    config,
    '[default]\nregion = us-east-1\noutput = json\ns3 =\n    addressing_style = path\n',
  );
  await writeFile(
    credentials,
    `[default]\naws_access_key_id = ${ROOT.accessKeyId}\naws_secret_access_key = ${ROOT.secretAccessKey}\n`,
  );
  env = {
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
});

afterAll(async () => {
  await h?.close();
});

const aws = (...args: string[]) => h.run(AWS, ['--endpoint-url', h.srv.url, ...args], env);

// Real clients start an interpreter per command: seconds each on a loaded 2-core machine.
describe('aws cli', { timeout: 60_000 }, () => {
  // Each command costs a Python start (~1 s of CPU), so every one here checks something the
  // others do not: high-level multipart copy both ways, s3api with metadata and a key that
  // needs encoding, listing, deletion, and `rb --force` (list + delete + DeleteBucket).
  it('makes a bucket, copies a 20 MB file (multipart) both ways', async () => {
    await aws('s3', 'mb', 's3://cli-bucket');
    const big = await h.file('big.bin', 20 * 1024 * 1024);
    await aws('s3', 'cp', big.path, 's3://cli-bucket/dir/big.bin');
    const stored = h.srv.headObject('cli-bucket', 'dir/big.bin');
    expect(stored?.size).toBe(20 * 1024 * 1024);
    expect(stored?.partsCount).toBeGreaterThan(1);
    expect(stored?.etag).toMatch(/-\d+"$/);
    const back = join(h.dir, 'back.bin');
    await aws('s3', 'cp', 's3://cli-bucket/dir/big.bin', back);
    expect(md5(await readFile(back))).toBe(big.md5);
  });

  it('puts, gets, lists and deletes with s3api; removes the bucket with rb --force', async () => {
    const small = await h.file('small.txt', 1000);
    const put = JSON.parse(
      await aws(
        's3api',
        'put-object',
        '--bucket',
        'cli-bucket',
        '--key',
        'api/a b+c.txt',
        '--body',
        small.path,
        '--content-type',
        'text/plain',
        '--metadata',
        'owner=cli',
      ),
    );
    expect(put.ETag).toBe(`"${small.md5}"`);
    const out = join(h.dir, 'got.txt');
    const got = JSON.parse(
      await aws('s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'api/a b+c.txt', out),
    );
    expect(got.ContentType).toBe('text/plain');
    expect(got.Metadata).toEqual({ owner: 'cli' });
    expect(md5(await readFile(out))).toBe(small.md5);
    const list = JSON.parse(
      await aws('s3api', 'list-objects-v2', '--bucket', 'cli-bucket', '--prefix', 'api/'),
    );
    expect(list.Contents.map((c: { Key: string }) => c.Key)).toEqual(['api/a b+c.txt']);
    await aws('s3api', 'delete-object', '--bucket', 'cli-bucket', '--key', 'api/a b+c.txt');
    expect(h.srv.headObject('cli-bucket', 'api/a b+c.txt')).toBeUndefined();
    expect(h.srv.headObject('cli-bucket', 'dir/big.bin')).toBeDefined();
    await aws('s3', 'rb', '--force', 's3://cli-bucket');
    expect(h.srv.listBuckets()).toEqual([]);
  });
});
