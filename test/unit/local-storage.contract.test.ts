import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { storageContract } from '../contract/storage-contract.ts';

storageContract('LocalStorage', async () => {
  const root = await mkdtemp(join(tmpdir(), 'local-storage-contract-'));
  const storage = new LocalStorage({ root, maxFileSize: 256 * 1024 });
  return {
    storage,
    cleanup: () => rm(root, { recursive: true, force: true }),
    leftovers: async () => {
      try {
        return await readdir(join(root, '.storage', 'tmp'));
      } catch {
        return [];
      }
    },
  };
});
