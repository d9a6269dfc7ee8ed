// boto3 (Debian's python3-boto3) against the embedded server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../s3/fixtures.ts';
import { type ClientHarness, clientHarness } from './harness.ts';

const PYTHON = '/usr/bin/python3';
let h: ClientHarness;

beforeAll(async () => {
  h = await clientHarness();
});

afterAll(async () => {
  await h?.close();
});

const SCRIPT = `
import hashlib, json, os, sys, urllib.request
import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

# SigV4 throughout: S3 refuses SigV2 (botocore 1.29's default for presigned URLs) on buckets created since 2020.

endpoint, key_id, secret, workdir = sys.argv[1:5]
s3 = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id=key_id,
                  aws_secret_access_key=secret, config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
out = {}
s3.create_bucket(Bucket='boto-bucket')
s3.put_object(Bucket='boto-bucket', Key='hello.txt', Body=b'hello boto', ContentType='text/plain', Metadata={'who': 'boto'})
obj = s3.get_object(Bucket='boto-bucket', Key='hello.txt')
out['get'] = [obj['Body'].read().decode(), obj['ContentType'], obj['Metadata']]
path = os.path.join(workdir, 'big.bin')
data = os.urandom(20 * 1024 * 1024)
open(path, 'wb').write(data)
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
s3.upload_file(path, 'boto-bucket', 'dir/big.bin', Config=cfg)
head = s3.head_object(Bucket='boto-bucket', Key='dir/big.bin')
out['mpu_etag'] = head['ETag']
back = os.path.join(workdir, 'back.bin')
s3.download_file('boto-bucket', 'dir/big.bin', back, Config=cfg)
out['roundtrip'] = hashlib.md5(open(back, 'rb').read()).hexdigest() == hashlib.md5(data).hexdigest()
for i in range(5):
    s3.put_object(Bucket='boto-bucket', Key=f'page/{i}', Body=b'x')
pages = s3.get_paginator('list_objects_v2').paginate(Bucket='boto-bucket', Prefix='page/', PaginationConfig={'PageSize': 2})
out['paged'] = [[c['Key'] for c in p.get('Contents', [])] for p in pages]
url = s3.generate_presigned_url('get_object', Params={'Bucket': 'boto-bucket', 'Key': 'hello.txt'}, ExpiresIn=60)
out['presigned'] = urllib.request.urlopen(url).read().decode()
deleted = s3.delete_objects(Bucket='boto-bucket', Delete={'Objects': [{'Key': f'page/{i}'} for i in range(5)] + [{'Key': 'hello.txt'}, {'Key': 'dir/big.bin'}]})
out['deleted'] = sorted(d['Key'] for d in deleted['Deleted'])
try:
    s3.get_object(Bucket='boto-bucket', Key='hello.txt')
except ClientError as e:
    out['missing'] = e.response['Error']['Code']
s3.delete_bucket(Bucket='boto-bucket')
print(json.dumps(out))
`;

// Real clients start an interpreter per command: seconds each on a loaded 2-core machine.
describe('boto3', { timeout: 60_000 }, () => {
  it('puts, gets, uploads 20 MB multipart, pages, presigns, deletes', async () => {
    const stdout = await h.run(PYTHON, [
      '-c',
      SCRIPT,
      h.srv.url,
      ROOT.accessKeyId,
      ROOT.secretAccessKey,
      h.dir,
    ]);
    const out = JSON.parse(stdout);
    expect(out.get).toEqual(['hello boto', 'text/plain', { who: 'boto' }]);
    expect(out.mpu_etag).toMatch(/^"[0-9a-f]{32}-4"$/);
    expect(out.roundtrip).toBe(true);
    expect(out.paged).toEqual([['page/0', 'page/1'], ['page/2', 'page/3'], ['page/4']]);
    expect(out.presigned).toBe('hello boto');
    expect(out.deleted).toEqual([
      'dir/big.bin',
      'hello.txt',
      'page/0',
      'page/1',
      'page/2',
      'page/3',
      'page/4',
    ]);
    expect(out.missing).toBe('NoSuchKey');
    expect(h.srv.listBuckets()).toEqual([]);
  });
});
