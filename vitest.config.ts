import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { resolveBinary } from './stack/minio/binaries.ts';

// CI always installs MinIO (.ci/run), so there a missing binary fails the minio project loudly;
// on a machine without Go the project is left out, with a note.
const withMinio = Boolean(process.env.CI) || Boolean(resolveBinary('minio') && resolveBinary('mc'));
if (!withMinio)
  console.warn('vitest: MinIO is not installed; the minio project is skipped (npm run stack:install-minio)');

const minioProject: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'minio',
    include: ['test/e2e/email-flows.test.ts', 'test/e2e/file-flows.test.ts'],
    env: { STACK_TEST_ENGINE: 'minio' },
  },
};

// Interop: what drives programs we did not write — real MinIO and Mailpit (the contract suites
// against them), and the Debian S3 clients (aws, s3cmd, rclone, boto3), each paying an
// interpreter or server start per run. `npm test` is the rest, the fast inner loop;
// `npm run test:interop` runs these and the app's flows replayed on MinIO. CI runs both.
const INTEROP = [
  'test/clients/**/*.test.ts',
  'test/minio/**/*.test.ts',
  'test/mailpit/**/*.test.ts',
  'test/**/*.minio.test.ts',
];

// Three projects: the suite on the embedded engine, interop against real programs, and the
// app's end-to-end flows replayed on real MinIO (differential conformance: same test code,
// another engine).
export default defineConfig({
  test: {
    // Integration tests open real sockets; forks isolate each file's servers.
    pool: 'forks',
    isolate: false,
    // Most files wait on sockets and child processes, not the CPU: 2 cores keep 3 workers busy.
    maxWorkers: 3,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'embedded', include: ['test/**/*.test.ts'], exclude: INTEROP } },
      { extends: true, test: { name: 'interop', include: INTEROP } },
      ...(withMinio ? [minioProject] : []),
    ],
  },
});
