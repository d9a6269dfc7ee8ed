// Key rotation while the stack runs: the app user holds two keys at once, a rebuilt app picks
// up the new one from the stack's env, the old one is deactivated then removed (InvalidAccessKeyId),
// and an upload authenticated with the old key before the switch still completes.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStorage, loadSettings, type Storage, StorageError } from '../../src/index.ts';
import { KeyError } from '../../stack/engines/app-keys.ts';
import { runStackKeys } from '../../stack/engines/keys-cli.ts';
import { type Stack, startStack } from '../../stack/stack.ts';

let stack: Stack;

function storageFor(env: Record<string, string>): Storage {
  return createStorage(loadSettings(env).storage, { maxAttempts: 1 });
}

async function failure(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    return err as StorageError;
  }
  throw new Error('expected the storage call to fail');
}

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('rotating the app key', () => {
  it('keeps the app working and loses no upload across rotate → deactivate → remove', async () => {
    const oldEnv = { ...stack.env };
    const oldKey = oldEnv.AWS_ACCESS_KEY_ID!;
    await using oldApp = storageFor(oldEnv);
    await oldApp.put('rotation/before.txt', Buffer.from('before'), { contentType: 'text/plain' });

    // A browser upload to a URL the old app presigned, whose body is still arriving when the key
    // is switched off: S3 authenticates a request once, from its headers.
    const signed = await oldApp.presignedPutUrl('rotation/in-flight.bin', {
      contentType: 'application/octet-stream',
      contentLength: 64 * 1024 + 1024,
    });
    const upload = request(signed.url, { method: 'PUT', headers: signed.headers });
    const answered = new Promise<number>((resolve, reject) => {
      upload.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      upload.on('error', reject);
    });
    upload.write(Buffer.alloc(64 * 1024, 0x61));
    // The decision is logged once the request is authenticated and authorized, before its body is read.
    await vi.waitFor(
      () => {
        const seen = stack.decisions().some((d) => d.key === 'rotation/in-flight.bin' && d.allowed);
        if (!seen) throw new Error('PutObject not authorized yet');
      },
      { timeout: 5000, interval: 10 },
    );

    const newKey = await stack.rotateAppKey();
    expect(newKey.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(newKey.accessKeyId).not.toBe(oldKey);
    expect(stack.env.AWS_ACCESS_KEY_ID).toBe(newKey.accessKeyId);
    expect(stack.env.AWS_SECRET_ACCESS_KEY).toBe(newKey.secretAccessKey);
    expect(stack.s3.app.accessKeyId).toBe(newKey.accessKeyId);
    expect(stack.keys.list().map((k) => [k.accessKeyId, k.active])).toEqual([
      [oldKey, true],
      [newKey.accessKeyId, true],
    ]);

    // Both keys work while the app is redeployed.
    await using newApp = storageFor({ ...stack.env });
    await oldApp.put('rotation/old-still-works.txt', Buffer.from('old'), { contentType: 'text/plain' });
    await newApp.put('rotation/new-works.txt', Buffer.from('new'), { contentType: 'text/plain' });

    await stack.deactivateKey(oldKey);
    const refused = await failure(
      oldApp.put('rotation/after.txt', Buffer.from('x'), { contentType: 'text/plain' }),
    );
    expect(refused.s3Code).toBe('InvalidAccessKeyId');
    expect(refused.httpStatus).toBe(403);

    // The upload authenticated before the switch completes, intact.
    upload.end(Buffer.alloc(1024, 0x62));
    expect(await answered).toBe(200);
    const stored = await newApp.get('rotation/in-flight.bin');
    expect(stored.size).toBe(64 * 1024 + 1024);
    expect((await newApp.get('rotation/before.txt')).size).toBe(6);
    expect(await newApp.exists('rotation/old-still-works.txt')).toBe(true);
    expect(await newApp.exists('rotation/after.txt')).toBe(false);

    await stack.removeKey(oldKey);
    expect((await failure(oldApp.get('rotation/before.txt'))).s3Code).toBe('InvalidAccessKeyId');
    expect(stack.keys.list().map((k) => k.accessKeyId)).toEqual([newKey.accessKeyId]);
    expect((await newApp.get('rotation/new-works.txt')).size).toBe(3);
  });

  it('refuses a third key, an unknown key and the root key with typed errors', async () => {
    const second = await stack.rotateAppKey();
    await expect(stack.rotateAppKey()).rejects.toMatchObject({ code: 'TOO_MANY_KEYS' });
    await expect(stack.deactivateKey('AKIANOSUCHKEY0000000')).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
    await expect(stack.removeKey(stack.s3.root.accessKeyId)).rejects.toBeInstanceOf(KeyError);
    await expect(stack.removeKey(stack.s3.root.accessKeyId)).rejects.toMatchObject({ code: 'ROOT_KEY' });
    const [first] = stack.keys.list().filter((k) => k.accessKeyId !== second.accessKeyId);
    await stack.removeKey(first!.accessKeyId);
    expect(stack.keys.list().map((k) => k.accessKeyId)).toEqual([second.accessKeyId]);
  });
});

describe('npm run stack:keys against the console', () => {
  it('rotates, deactivates, reactivates and removes through /api/stack/keys', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
    const cli = (...args: string[]) => runStackKeys([...args, '--console', stack.consoleUrl], {}, io);
    const current = stack.env.AWS_ACCESS_KEY_ID!;

    expect(await cli('rotate')).toBe(0);
    const rotated = /AWS_ACCESS_KEY_ID=(\S+)\nAWS_SECRET_ACCESS_KEY=(\S+)/.exec(out.join(''));
    expect(rotated?.[1]).toBe(stack.env.AWS_ACCESS_KEY_ID);
    expect(rotated?.[2]).toBe(stack.env.AWS_SECRET_ACCESS_KEY);
    await using app = storageFor({ ...stack.env });
    await app.put('rotation/cli.txt', Buffer.from('cli'), { contentType: 'text/plain' });

    expect(await cli('deactivate', current)).toBe(0);
    await using oldApp = storageFor({
      ...stack.env,
      AWS_ACCESS_KEY_ID: current,
      AWS_SECRET_ACCESS_KEY: 'irrelevant-the-key-is-refused-first-0000',
    });
    expect((await failure(oldApp.get('rotation/cli.txt'))).s3Code).toBe('InvalidAccessKeyId');
    out.length = 0;
    expect(await cli('list')).toBe(0);
    expect(out.join('')).toContain(`${current}  Inactive`);
    expect(await cli('activate', current)).toBe(0);
    expect(await cli('remove', current)).toBe(0);
    expect(stack.keys.list().map((k) => k.accessKeyId)).toEqual([rotated?.[1]]);

    expect(await cli('remove', 'AKIANOSUCHKEY0000000')).toBe(1);
    expect(err.join('')).toContain('NOT_FOUND');
    expect(await cli('deactivate')).toBe(2);
    expect(await runStackKeys(['rotate', '--console'], {}, io)).toBe(2);
  });
});
