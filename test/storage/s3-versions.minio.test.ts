// S3Storage.listVersions / restoreVersion against real MinIO (UUID version ids, its own XML):
// the same outcomes as on the embedded server (differential check of the adapter).
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage } from '../../src/storage/s3-storage.ts';
import { storageFailure } from '../contract/storage-contract.ts';
import { readAll } from '../helpers/streams.ts';
import { minioAvailable } from '../minio/minio-available.ts';
import { startTempMinio, type TempMinio } from '../minio/temp-minio.ts';

const ROOT = { accessKeyId: 'versionsroot', secretAccessKey: 'versionsroot-secret' };

if (minioAvailable()) {
  describe('S3Storage versions on MinIO', () => {
    let minio: TempMinio | undefined;
    let storage: S3Storage;

    beforeAll(async () => {
      minio = await startTempMinio('minio-versions-', ROOT);
      storage = new S3Storage({
        bucket: 'versions',
        region: 'us-east-1',
        endpoint: minio.url,
        credentials: ROOT,
        maxFileSize: 1024 * 1024,
        listPageSize: 2,
        maxAttempts: 1,
      });
      await storage.client.send(new CreateBucketCommand({ Bucket: 'versions' }));
      await storage.client.send(
        new PutBucketVersioningCommand({
          Bucket: 'versions',
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      );
    });
    afterAll(async () => {
      await storage?.close();
      await minio?.stop();
    });

    it('lists versions and markers in order across pages and restores a deleted version', async () => {
      const key = 'teams/t1/profile/logo.png';
      const v1 = await storage.put(key, Buffer.from('one'), { contentType: 'image/png' });
      const v2 = await storage.put(key, Buffer.from('two!'), { contentType: 'image/png' });
      await storage.delete(key);
      const [marker] = await storage.listVersions('teams/t1/');
      expect(marker).toMatchObject({ key, isLatest: true, deleteMarker: true });

      const restored = await storage.restoreVersion(key, v1.versionId!);

      expect(restored).toMatchObject({ key, size: 3 });
      expect((await readAll((await storage.get(key)).body)).toString()).toBe('one');
      expect(
        (await storage.listVersions('teams/t1/')).map((v) => [v.versionId, v.isLatest, v.deleteMarker]),
      ).toEqual([
        [restored.versionId, true, false],
        [marker!.versionId, false, true],
        [v2.versionId, false, false],
        [v1.versionId, false, false],
      ]);
      await storageFailure(storage.restoreVersion(key, marker!.versionId), 'NOT_FOUND');
      await storageFailure(storage.restoreVersion(key, '00000000-0000-4000-8000-000000000000'), 'NOT_FOUND');
    });
  });
}
