// Identities and helpers shared by the ingest tests.
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { S3Error } from '../../../stack/s3/errors.ts';
import type { Identity } from '../../../stack/s3/identity.ts';
import type { AuthContext, AuthenticateOptions, RequestInfo } from '../../../stack/s3/ingest/types.ts';
import type { CapturedRequest } from './capture-server.ts';

export const USER: Identity = {
  name: 'focusmate-s3-user',
  arn: 'arn:aws:iam::000000000000:user/focusmate-s3-user',
  accessKeyId: 'AKIAFOCUSMATE0000001',
  secretAccessKey: 'fm/Secret+Key=With~Odd/Chars0000000000',
  root: false,
};
export const RETIRED: Identity = {
  ...USER,
  name: 'retired',
  accessKeyId: 'AKIARETIRED000000001',
  active: false,
};

export const lookup: AuthenticateOptions['lookup'] = (id) =>
  [USER, RETIRED].find((i) => i.accessKeyId === id);

/** A header-signed request with an unsigned payload (UNSIGNED-PAYLOAD), as ingest sees it. */
export const UNSIGNED: AuthContext = {
  identity: USER,
  via: 'header',
  payload: 'unsigned',
  signedHeaders: ['host'],
  contentSha256: 'UNSIGNED-PAYLOAD',
};

export const credentials = { accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey };

export function requestInfo(r: CapturedRequest): RequestInfo {
  return {
    method: r.method,
    rawPath: r.rawPath,
    rawQuery: r.rawQuery,
    headers: r.headers,
    rawHeaders: r.rawHeaders,
  };
}

/** The S3Error `fn` throws (fails the test when it throws something else or nothing). */
export function thrown(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected an S3Error');
}

/** The S3Error a body stream errors with. */
export async function streamError(body: Readable): Promise<S3Error> {
  try {
    await buffer(body);
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected the body to error');
}
