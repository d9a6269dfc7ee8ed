// The same S3 contract against real MinIO, built from source (npm run stack:install-minio).
// Differential conformance: any difference is fixed in our emulator or skipped in the
// contract with a reason naming where MinIO departs from AWS.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { resolveBinary } from '../../stack/minio/binaries.ts';
import { type MinioProcess, startMinioProcess } from '../../stack/minio/minio-process.ts';
import { freePort } from '../../stack/util/free-port.ts';
import { s3Contract } from '../contract/s3-contract.ts';
import { s3VersioningContract } from '../contract/s3-versioning-contract.ts';
import { minioAvailable } from './minio-available.ts';

const ROOT = { accessKeyId: 'contractroot', secretAccessKey: 'contractroot-secret' };
let minio: MinioProcess;
let dir: string;

if (minioAvailable()) {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minio-contract-'));
    minio = await startMinioProcess({
      binary: resolveBinary('minio')!.path,
      dataDir: dir,
      port: await freePort(),
      rootUser: ROOT.accessKeyId,
      rootPassword: ROOT.secretAccessKey,
    });
  }, 60_000);

  afterAll(async () => {
    await minio?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  s3Contract('minio', () => ({ endpoint: minio.url, region: 'us-east-1', ...ROOT }), {
    skip: {
      'pages ListObjects v1 with markers':
        'MinIO returns an internal continuation marker ("key[minio_cache:v2,return:]") as NextMarker where AWS returns the last key or CommonPrefix',
      'keeps a FULL_OBJECT CRC32 that the SDK verifies on download':
        'MinIO omits ChecksumType from CompleteMultipartUpload and HeadObject; AWS returns FULL_OBJECT',
      'refuses a small non-last part and aborts':
        'MinIO completes uploads whose non-last parts are under 5 MiB; AWS answers EntityTooSmall',
    },
  });
  s3VersioningContract('minio', () => ({ endpoint: minio.url, region: 'us-east-1', ...ROOT }), {
    skip: {
      'writes the null version while suspended, replacing it on each write and keeping older versions':
        'MinIO answers a DELETE in a suspended bucket without x-amz-delete-marker; AWS documents that header for the null delete marker the DELETE creates',
      'DeleteObjects reports a delete marker removed by its version id as a delete marker':
        'MinIO answers only Key and VersionId; AWS documents DeleteMarker=true and DeleteMarkerVersionId for a delete marker deleted by version id',
    },
  });
}
