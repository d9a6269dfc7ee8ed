// MinIO is built by `npm run stack:install-minio`, which .ci/run always runs: in CI a missing
// binary is a failure, not a skip. On a developer machine without Go the MinIO suites are
// skipped with this reason printed once.
import { describe, it } from 'vitest';
import { resolveBinary } from '../../stack/minio/binaries.ts';

export function minioAvailable(): boolean {
  const found = resolveBinary('minio') && resolveBinary('mc');
  if (found) return true;
  if (process.env.CI)
    throw new Error('MinIO is not installed in CI: .ci/run must run npm run stack:install-minio');
  describe('MinIO engine', () => {
    it.skip('skipped because the minio/mc binaries are not installed (npm run stack:install-minio)', () => {});
  });
  return false;
}
