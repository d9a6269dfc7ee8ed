import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests open real sockets; forks isolate each file's servers.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
