// The same S3 contract against real MinIO, built from source (npm run stack:install-minio).
// Differential conformance: any difference is fixed in our emulator or skipped in the
// contract with a reason naming where MinIO departs from AWS.
import { afterAll, beforeAll } from 'vitest';
import { s3Contract } from '../contract/s3-contract.ts';
import { s3VersioningContract } from '../contract/s3-versioning-contract.ts';
import { minioAvailable } from './minio-available.ts';
import { startTempMinio, type TempMinio } from './temp-minio.ts';

const ROOT = { accessKeyId: 'contractroot', secretAccessKey: 'contractroot-secret' };
let minio: TempMinio | undefined;

if (minioAvailable()) {
  beforeAll(async () => {
    minio = await startTempMinio('minio-contract-', ROOT);
  }, 60_000);

  afterAll(async () => {
    await minio?.stop();
  });

  s3Contract('minio', () => ({ endpoint: minio!.url, region: 'us-east-1', ...ROOT }), {
    skip: {
      'pages ListObjects v1 with markers':
        'MinIO returns an internal continuation marker ("key[minio_cache:v2,return:]") as NextMarker where AWS returns the last key or CommonPrefix',
      'keeps a FULL_OBJECT CRC32 that the SDK verifies on download':
        'MinIO omits ChecksumType from CompleteMultipartUpload and HeadObject; AWS returns FULL_OBJECT',
      'refuses a small non-last part and aborts':
        'MinIO completes uploads whose non-last parts are under 5 MiB; AWS answers EntityTooSmall',
    },
  });
  s3VersioningContract('minio', () => ({ endpoint: minio!.url, region: 'us-east-1', ...ROOT }), {
    skip: {
      'writes the null version while suspended, replacing it on each write and keeping older versions':
        'MinIO answers a DELETE in a suspended bucket without x-amz-delete-marker; AWS documents that header for the null delete marker the DELETE creates',
      'DeleteObjects reports a delete marker removed by its version id as a delete marker':
        'MinIO answers only Key and VersionId; AWS documents DeleteMarker=true and DeleteMarkerVersionId for a delete marker deleted by version id',
    },
  });
}
