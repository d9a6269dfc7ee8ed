import { CreateBucketCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { S3Storage } from '../../src/storage/s3-storage.ts';
import type { Identity } from '../../stack/s3/identity.ts';
import { startS3Server } from '../../stack/s3/server.ts';
import { storageContract } from '../contract/storage-contract.ts';

const ROOT: Identity = {
  name: 'root',
  arn: 'arn:aws:iam::000000000000:root',
  accessKeyId: 'AKIASTORAGECONTRACT1',
  secretAccessKey: 'storage-contract-secret-key-0000000000000',
  root: true,
};

// 6 MiB: over one 5 MiB part. With the default singlePutMaxBytes the body is read and sent as
// one PutObject; with 0 the oversize case goes through a real multipart upload and its abort.
for (const [path, singlePutMaxBytes] of [
  ['single PUT', undefined],
  ['multipart', 0],
] as const) {
  storageContract(`S3Storage on the embedded S3 server (${path})`, async () => {
    const server = await startS3Server({ identities: [ROOT] });
    const storage = new S3Storage({
      bucket: 'storage-contract',
      region: server.region,
      endpoint: server.url,
      credentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
      maxFileSize: 6 * 1024 * 1024,
      singlePutMaxBytes,
      listPageSize: 7,
      maxAttempts: 1,
    });
    await storage.client.send(new CreateBucketCommand({ Bucket: 'storage-contract' }));
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await server.stop();
      },
      leftovers: async () => {
        const out = await storage.client.send(
          new ListMultipartUploadsCommand({ Bucket: 'storage-contract' }),
        );
        return (out.Uploads ?? []).map((u) => `${u.Key} (${u.UploadId})`);
      },
    };
  });
}
