// The app's S3 storage adapter against real MinIO: the same contract it passes on the embedded
// engine and on local disk (size limits by their outcome, presigned URLs through plain fetch).

import { CreateBucketCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { S3Storage } from '../../src/storage/s3-storage.ts';
import { storageContract } from '../contract/storage-contract.ts';
import { minioAvailable } from './minio-available.ts';
import { startTempMinio, type TempMinio } from './temp-minio.ts';

const ROOT = { accessKeyId: 'storageroot', secretAccessKey: 'storageroot-secret' };

if (minioAvailable()) {
  for (const [path, singlePutMaxBytes] of [
    ['single PUT', undefined],
    ['multipart', 0],
  ] as const) {
    storageContract(`S3Storage on MinIO (${path})`, async () => {
      let minio: TempMinio | undefined;
      let storage: S3Storage | undefined;
      const cleanup = async () => {
        await storage?.close();
        await minio?.stop();
      };
      try {
        minio = await startTempMinio('minio-storage-', ROOT);
        storage = new S3Storage({
          bucket: 'storage-contract',
          region: 'us-east-1',
          endpoint: minio.url,
          credentials: ROOT,
          maxFileSize: 6 * 1024 * 1024,
          singlePutMaxBytes,
          listPageSize: 7,
          maxAttempts: 1,
        });
        await storage.client.send(new CreateBucketCommand({ Bucket: 'storage-contract' }));
      } catch (error) {
        // The contract's afterAll only sees what this returns: a failed start is ours to undo.
        await cleanup();
        throw error;
      }
      const client = storage.client;
      return {
        storage,
        cleanup,
        leftovers: async (key) => {
          // MinIO lists multipart uploads only when the prefix is the exact object key.
          const out = await client.send(
            new ListMultipartUploadsCommand({ Bucket: 'storage-contract', Prefix: key }),
          );
          return (out.Uploads ?? []).map((u) => `${u.Key} (${u.UploadId})`);
        },
      };
    });
  }
}
