// Assertions that read like the test's intent and, when they fail, show what did arrive:
//
//   await expect(stack).toHaveReceived({ to: 'leader@example.com', subject: /승인/ });
//   await expect(stack).toHaveStored('teams/t1/profile/logo.png');
//
// Both wait (on the mail server's arrival event / the engine's object event) up to
// `timeout` ms, so a test never sleeps or polls.
import { expect } from 'vitest';
import { MailError } from '../mail/errors.ts';
import type { WaitOptions } from '../mail/search/wait.ts';
import type { MessageSummary } from '../mail/store/types.ts';
import type { Stack } from '../stack.ts';

function describeMail(m: MessageSummary): string {
  const to = [...m.to, ...m.cc, ...m.bcc].map((a) => a.address).join(', ');
  return `  - from ${m.from?.address ?? '?'} to ${to}: "${m.subject}"`;
}

expect.extend({
  async toHaveReceived(stack: Stack, filter: WaitOptions = {}) {
    try {
      const found = await stack.mail.waitFor({ timeout: 5000, ...filter });
      return {
        pass: true,
        message: () =>
          `expected no mail matching ${JSON.stringify(filter)}, but got:\n${found.map(describeMail).join('\n')}`,
      };
    } catch (err) {
      // Only a timeout means "not received"; anything else (a bad query) is the test's bug.
      if (!(err instanceof MailError && err.code === 'WAIT_TIMEOUT')) throw err;
      const all = stack.mail.messages();
      return {
        pass: false,
        message: () =>
          `expected mail matching ${JSON.stringify(filter, (_, v) => (v instanceof RegExp ? String(v) : v))}; ` +
          (all.length ? `what arrived:\n${all.map(describeMail).join('\n')}` : 'no mail arrived at all'),
      };
    }
  },

  async toHaveStored(stack: Stack, key: string, options: { bucket?: string; timeout?: number } = {}) {
    const bucket = options.bucket ?? stack.s3.bucket;
    try {
      await stack.s3.inspect.waitForObject(bucket, key, { timeout: options.timeout ?? 5000 });
      return { pass: true, message: () => `expected s3://${bucket}/${key} not to be stored, but it is` };
    } catch {
      const keys = (await stack.s3.inspect.listObjects(bucket)).map((o) => `  - ${o.key}`);
      return {
        pass: false,
        message: () =>
          `expected s3://${bucket}/${key} to be stored; ` +
          (keys.length ? `the bucket holds:\n${keys.join('\n')}` : 'the bucket is empty'),
      };
    }
  },
});

interface StackMatchers<R = unknown> {
  /** Waits for a message matching the filter (to, from, subject, scope, query, count, timeout). */
  toHaveReceived(filter?: WaitOptions): Promise<R>;
  /** Waits for an object under the stack's bucket (or `bucket`). */
  toHaveStored(key: string, options?: { bucket?: string; timeout?: number }): Promise<R>;
}

declare module 'vitest' {
  interface Matchers<T = any> extends StackMatchers<T> {}
}

export { expect };
