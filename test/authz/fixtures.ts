// Shared identities and request builders for the access-control tests.

import type { AccessRequest } from '../../stack/s3/authz/types.ts';
import { type Identity, userArn } from '../../stack/s3/identity.ts';

export const BUCKET = 'focusmate-uploads';

export function user(name: string): Identity {
  return {
    name,
    arn: userArn(name),
    accessKeyId: `AKIA${name.toUpperCase()}`,
    secretAccessKey: 'x',
    root: false,
  };
}

export const appUser = user('focusmate-s3-user');
export const otherUser = user('someone-else');
export const root: Identity = { ...user('root'), arn: userArn('root'), root: true };

/** An object-level request (`key` given) or a bucket-level one. */
export function request(
  action: string,
  opts: {
    principal?: Identity | null;
    bucket?: string;
    key?: string;
    context?: AccessRequest['context'];
  } = {},
): AccessRequest {
  const bucket = opts.bucket ?? BUCKET;
  const resource =
    action === 's3:ListAllMyBuckets'
      ? '*'
      : opts.key === undefined
        ? `arn:aws:s3:::${bucket}`
        : `arn:aws:s3:::${bucket}/${opts.key}`;
  return {
    requestId: 'req-1',
    operation: action.replace('s3:', ''),
    action,
    resource,
    principal: opts.principal === undefined ? appUser : opts.principal,
    bucket: action === 's3:ListAllMyBuckets' ? undefined : bucket,
    key: opts.key,
    context: opts.context ?? {},
  };
}
