// Key rotation for the app's IAM user while the stack runs: a second key beside the first,
// then the old one deactivated or removed, as the guide's "rotate access keys regularly"
// is done on AWS. The stack's env follows the newest key so a rebuilt app picks it up.
import { randomBytes } from 'node:crypto';
import type { Credentials, EngineKey, S3Engine } from './types.ts';

export type KeyErrorCode = 'NOT_SUPPORTED' | 'UNKNOWN_KEY' | 'ROOT_KEY' | 'TOO_MANY_KEYS';

export class KeyError extends Error {
  readonly code: KeyErrorCode;

  constructor(code: KeyErrorCode, message: string) {
    super(message);
    this.name = 'KeyError';
    this.code = code;
  }
}

export interface StackKeys {
  /** A new active key for the app user (same policies); the stack's env switches to it. */
  rotateAppKey(): Promise<Credentials>;
  /** Requests signed with the key then get InvalidAccessKeyId. */
  deactivateKey(accessKeyId: string): Promise<void>;
  reactivateKey(accessKeyId: string): Promise<void>;
  removeKey(accessKeyId: string): Promise<void>;
  /** The app user's keys (secrets left out). */
  list(): EngineKey[];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AWS's shape: AKIA + 16 upper-case characters, and a 40-character secret. */
export function newAccessKey(): Credentials {
  const id = [...randomBytes(16)].map((b) => ALNUM[b % ALNUM.length]).join('');
  return {
    accessKeyId: `AKIA${id}`,
    secretAccessKey: randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B'),
  };
}

/** IAM allows two access keys per user. */
const MAX_KEYS_PER_USER = 2;

export function createStackKeys(
  engine: S3Engine,
  appUserName: string,
  /** Called with the new key once the engine accepts it. */
  onRotated: (key: Credentials) => void,
): StackKeys {
  const keys = () => {
    if (!engine.keys)
      throw new KeyError(
        'NOT_SUPPORTED',
        `The ${engine.kind} engine cannot change access keys while it runs`,
      );
    return engine.keys;
  };
  const appKey = (accessKeyId: string): EngineKey => {
    const all = keys().list();
    const k = all.find((x) => x.accessKeyId === accessKeyId);
    if (!k) throw new KeyError('UNKNOWN_KEY', `No access key ${accessKeyId}`);
    if (k.userName !== appUserName)
      throw new KeyError(
        'ROOT_KEY',
        `${accessKeyId} belongs to ${k.userName}; only the app user's keys rotate`,
      );
    return k;
  };
  return {
    async rotateAppKey() {
      const mine = keys()
        .list()
        .filter((k) => k.userName === appUserName);
      if (mine.length >= MAX_KEYS_PER_USER) {
        throw new KeyError(
          'TOO_MANY_KEYS',
          `${appUserName} already has ${mine.length} access keys (IAM allows ${MAX_KEYS_PER_USER}): remove one first`,
        );
      }
      const key = newAccessKey();
      await keys().add(appUserName, key);
      onRotated(key);
      return key;
    },
    async deactivateKey(accessKeyId) {
      appKey(accessKeyId);
      await keys().setActive(accessKeyId, false);
    },
    async reactivateKey(accessKeyId) {
      appKey(accessKeyId);
      await keys().setActive(accessKeyId, true);
    },
    async removeKey(accessKeyId) {
      appKey(accessKeyId);
      await keys().remove(accessKeyId);
    },
    list: () =>
      keys()
        .list()
        .filter((k) => k.userName === appUserName),
  };
}
