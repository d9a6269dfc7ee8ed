// What loading the S3 server pulls in, in a fresh Node process: not Node's bundled undici (an
// ESM import of node:http read its lazy exports and loaded it, ~30 ms of every start) and not
// node:https (only a TLS listener needs it, and loads it then).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function modulesAfterImport(code: string): string[] {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: new URL('../..', import.meta.url),
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  return JSON.parse(out) as string[];
}

describe('start-up module loading', () => {
  it('loads neither undici nor https with the server, and https once TLS is asked for', () => {
    const plain = modulesAfterImport(
      "await import('./stack/s3/server.ts'); console.log(JSON.stringify(process.moduleLoadList));",
    );
    expect(plain).toContain('NativeModule http');
    expect(plain.filter((m) => /undici|NativeModule https/.test(m))).toEqual([]);
    const tls = modulesAfterImport(
      "const { createHttpsServer } = await import('./stack/util/node-http.ts'); createHttpsServer({}); console.log(JSON.stringify(process.moduleLoadList));",
    );
    expect(tls).toContain('NativeModule https');
  });
});
