// Identities and clients shared by the S3 server tests.
import { S3Client } from '@aws-sdk/client-s3';
import type { Identity } from '../../stack/s3/identity.ts';
import type { BlobRef, ObjectRecord } from '../../stack/s3/storage/types.ts';

export const ROOT: Identity = {
  name: 'root',
  arn: 'arn:aws:iam::000000000000:root',
  accessKeyId: 'AKIAROOTTEST00000001',
  secretAccessKey: 'root-secret-key-for-tests-000000000000001',
  root: true,
};

export const USER: Identity = {
  name: 'focusmate-s3-user',
  arn: 'arn:aws:iam::000000000000:user/focusmate-s3-user',
  accessKeyId: 'AKIAUSERTEST0000001',
  secretAccessKey: 'user-secret-key-for-tests-000000000000001',
  root: false,
};

export function client(
  endpoint: string,
  id: Identity = ROOT,
  region = 'us-east-1',
  extra: Record<string, unknown> = {},
): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: id.accessKeyId, secretAccessKey: id.secretAccessKey },
    ...extra,
  });
}

/** A plain stored object record over `blobs`, for tests that drive the Store directly. */
export function objectRecord(key: string, blobs: BlobRef[]): ObjectRecord {
  return {
    key,
    size: blobs.reduce((n, b) => n + b.size, 0),
    etag: '"e"',
    lastModified: 0,
    contentType: 'application/octet-stream',
    userMeta: {},
    tags: [],
    storageClass: 'STANDARD',
    blobs,
  };
}
