// rclone (Debian's /usr/bin/rclone) with an on-the-fly S3 remote from the environment.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../s3/fixtures.ts';
import { type ClientHarness, clientHarness, md5 } from './harness.ts';

const RCLONE = '/usr/bin/rclone';
let h: ClientHarness;
let env: Record<string, string>;

beforeAll(async () => {
  h = await clientHarness();
  env = {
    RCLONE_CONFIG: join(h.dir, 'rclone.conf'),
    RCLONE_CONFIG_X_TYPE: 's3',
    RCLONE_CONFIG_X_PROVIDER: 'Other',
    RCLONE_CONFIG_X_ACCESS_KEY_ID: ROOT.accessKeyId,
    RCLONE_CONFIG_X_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
    RCLONE_CONFIG_X_ENDPOINT: h.srv.url,
    RCLONE_CONFIG_X_REGION: 'us-east-1',
    RCLONE_CONFIG_X_FORCE_PATH_STYLE: 'true',
  };
});

afterAll(async () => {
  await h?.close();
});

const rclone = (...args: string[]) =>
  h.run(RCLONE, ['--retries', '1', '--low-level-retries', '1', ...args], env);

// Real clients start an interpreter per command: seconds each on a loaded 2-core machine.
describe('rclone', { timeout: 60_000 }, () => {
  it('makes a bucket, copies (multipart), lists, checks, reads and deletes', async () => {
    await rclone('mkdir', 'x:rclone-bucket');
    const big = await h.file('big.bin', 11 * 1024 * 1024);
    await rclone(
      'copyto',
      '--s3-upload-cutoff',
      '5M',
      '--s3-chunk-size',
      '5M',
      big.path,
      'x:rclone-bucket/data/big.bin',
    );
    expect(h.srv.headObject('rclone-bucket', 'data/big.bin')?.partsCount).toBe(3);
    const small = await h.file('small.txt', 3000);
    await rclone('copyto', small.path, 'x:rclone-bucket/data/small.txt');
    const listing = JSON.parse(await rclone('lsjson', '--recursive', 'x:rclone-bucket'));
    const files = listing
      .filter((e: { IsDir: boolean }) => !e.IsDir)
      .map((e: { Path: string; Size: number }) => [e.Path, e.Size]);
    expect(files).toEqual([
      ['data/big.bin', 11 * 1024 * 1024],
      ['data/small.txt', 3000],
    ]);
    const sums = await rclone('md5sum', 'x:rclone-bucket/data/small.txt');
    expect(sums.trim()).toBe(`${small.md5}  small.txt`);
    const out = join(h.dir, 'out.bin');
    await rclone('copyto', 'x:rclone-bucket/data/big.bin', out);
    expect(md5(await readFile(out))).toBe(big.md5);
    await rclone('deletefile', 'x:rclone-bucket/data/small.txt');
    await rclone('purge', 'x:rclone-bucket');
    expect(h.srv.listBuckets()).toEqual([]);
  });
});
