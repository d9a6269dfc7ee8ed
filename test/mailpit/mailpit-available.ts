// Mailpit is built by `npm run stack:install-minio -- --with-mailpit`, which .ci/run always
// runs: in CI a missing binary is a failure, not a skip. On a developer machine without Go
// the Mailpit suites are skipped with this reason printed once.
import { describe, it } from 'vitest';
import { resolveBinary } from '../../stack/minio/binaries.ts';

/** The Mailpit binary to run, or undefined (after registering a skipped test saying why). */
export function mailpitBinary(): string | undefined {
  const found = resolveBinary('mailpit');
  if (found) return found.path;
  if (process.env.CI)
    throw new Error(
      'Mailpit is not installed in CI: .ci/run must run npm run stack:install-minio -- --with-mailpit',
    );
  describe('Mailpit', () => {
    it.skip('skipped because the mailpit binary is not installed (npm run stack:install-minio -- --with-mailpit)', () => {});
  });
  return undefined;
}
