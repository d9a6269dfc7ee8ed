// s3cmd (Debian's /usr/bin/s3cmd, SigV4) against the embedded server.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../s3/fixtures.ts';
import { type ClientHarness, clientHarness, md5 } from './harness.ts';

const S3CMD = '/usr/bin/s3cmd';
let h: ClientHarness;
let cfg: string;

beforeAll(async () => {
  h = await clientHarness();
  cfg = join(h.dir, 's3cfg');
  const host = new URL(h.srv.url).host;
  await writeFile(
    cfg,
    [
      '[default]',
      `access_key = ${ROOT.accessKeyId}`,
      `secret_key = ${ROOT.secretAccessKey}`,
      `host_base = ${host}`,
      `host_bucket = ${host}`,
      'use_https = False',
      'signature_v2 = False',
      'bucket_location = us-east-1',
      'multipart_chunk_size_mb = 5',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await h?.close();
});

const s3cmd = (...args: string[]) => h.run(S3CMD, ['-c', cfg, '--no-progress', ...args]);

// Real clients start an interpreter per command: seconds each on a loaded 2-core machine.
describe('s3cmd', { timeout: 60_000 }, () => {
  it('makes a bucket, puts (multipart), lists, gets, deletes', async () => {
    await s3cmd('mb', 's3://s3cmd-bucket');
    const big = await h.file('big.bin', 12 * 1024 * 1024);
    await s3cmd('put', big.path, 's3://s3cmd-bucket/big.bin');
    expect(h.srv.headObject('s3cmd-bucket', 'big.bin')?.partsCount).toBe(3);
    const small = await h.file('small.txt', 2000);
    await s3cmd('put', '--mime-type=text/plain', small.path, 's3://s3cmd-bucket/docs/small file.txt');
    const ls = await s3cmd('ls', '--recursive', 's3://s3cmd-bucket');
    expect(ls).toContain('s3://s3cmd-bucket/big.bin');
    expect(ls).toContain('s3://s3cmd-bucket/docs/small file.txt');
    const dirs = await s3cmd('ls', 's3://s3cmd-bucket/');
    expect(dirs).toMatch(/DIR\s+s3:\/\/s3cmd-bucket\/docs\//);
    const out = join(h.dir, 'out.bin');
    await s3cmd('get', 's3://s3cmd-bucket/big.bin', out);
    expect(md5(await readFile(out))).toBe(big.md5);
    const info = await s3cmd('info', 's3://s3cmd-bucket/docs/small file.txt');
    expect(info).toMatch(/MIME type:\s+text\/plain/);
    await s3cmd('del', 's3://s3cmd-bucket/big.bin', 's3://s3cmd-bucket/docs/small file.txt');
    expect(h.srv.listObjects('s3cmd-bucket')).toEqual([]);
    await s3cmd('rb', 's3://s3cmd-bucket');
    expect(h.srv.listBuckets()).toEqual([]);
  });
});
