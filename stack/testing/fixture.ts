// One line gets a test file its stack:
//
//   import { test } from '../../stack/testing/fixture.ts';
//   test('sends', async ({ stack }) => { ... });
//
// The stack is started once per test file (random ports, memory storage) and emptied
// before each test, so files never share state and tests in a file do not see each
// other's mail or objects. `stackOptions` overrides the start options per file:
//   const myTest = test.extend({ stackOptions: [{ bucketPolicy: 'guide-public' }, { scope: 'file' }] });
import { test as base } from 'vitest';
import type { Engine } from '../config/stack-config.ts';
import { type Stack, type StartStackOptions, startStack } from '../stack.ts';

/**
 * The engine the fixture starts: `STACK_TEST_ENGINE` (the vitest project that replays the
 * end-to-end suite on MinIO sets it), else the embedded one.
 */
export function engineUnderTest(): Engine {
  const engine = process.env.STACK_TEST_ENGINE;
  return engine === 'minio' || engine === 'docker' ? engine : 'embedded';
}

interface FileFixtures {
  stackOptions: StartStackOptions;
  sharedStack: Stack;
}

interface TestFixtures {
  stack: Stack;
}

export const test = base.extend<TestFixtures & FileFixtures>({
  stackOptions: [{ engine: engineUnderTest() }, { scope: 'file' }],
  sharedStack: [
    async ({ stackOptions }, use) => {
      const stack = await startStack({ engine: engineUnderTest(), ...stackOptions });
      try {
        await use(stack);
      } finally {
        await stack.stop();
      }
    },
    { scope: 'file' },
  ],
  stack: async ({ sharedStack }, use) => {
    await sharedStack.reset();
    await use(sharedStack);
  },
});

export { expect } from './matchers.ts';
