// A real MinIO on a free port in a fresh temp directory, for the tests that run against it:
// `stop()` stops it and removes the directory, and a start that fails removes it too.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinary } from '../../stack/minio/binaries.ts';
import { startMinioProcess } from '../../stack/minio/minio-process.ts';
import { freePort } from '../../stack/util/free-port.ts';

export interface TempMinio {
  url: string;
  stop(): Promise<void>;
}

export async function startTempMinio(
  prefix: string,
  root: { accessKeyId: string; secretAccessKey: string },
): Promise<TempMinio> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    const minio = await startMinioProcess({
      binary: resolveBinary('minio')!.path,
      dataDir: dir,
      port: await freePort(),
      rootUser: root.accessKeyId,
      rootPassword: root.secretAccessKey,
    });
    return {
      url: minio.url,
      async stop() {
        await minio.stop();
        await removeDir();
      },
    };
  } catch (error) {
    await removeDir();
    throw error;
  }
}
