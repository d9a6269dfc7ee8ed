// The IAM actions a versioned request needs, as AWS authorizes them: the guide's user (GetObject,
// DeleteObject...) cannot read or delete a named version until s3:GetObjectVersion /
// s3:DeleteObjectVersion are granted; GetObjectAttributes needs the read action as well.
import {
  DeleteObjectCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { expect, it } from 'vitest';
import { parseIdentityPolicy } from '../../../stack/s3/authz/policy-parse.ts';
import type { Identity } from '../../../stack/s3/identity.ts';
import { APP, BUCKET, serviceError, startAccessStack } from './harness.ts';

function allow(name: string, actions: string[]) {
  const doc = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: actions, Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] },
    ],
  };
  return { name, policy: parseIdentityPolicy(JSON.stringify(doc)) };
}

it('needs the *Version actions for versioned reads, deletes and listings', async () => {
  await using stack = await startAccessStack();
  const { root, app, server, policies } = stack;
  await root.send(
    new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  const Key = 'teams/t1/profile/a.png';
  const v1 = (await app.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'one' }))).VersionId!;
  await app.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'two' }));

  const read = await serviceError(() =>
    app.send(new GetObjectCommand({ Bucket: BUCKET, Key, VersionId: v1 })),
  );
  expect(read.name).toBe('AccessDenied');
  expect(server.decisions({ requestId: read.$metadata.requestId })[0]).toMatchObject({
    action: 's3:GetObjectVersion',
    allowed: false,
  });
  const list = await serviceError(() => app.send(new ListObjectVersionsCommand({ Bucket: BUCKET })));
  expect(list.name).toBe('AccessDenied');
  const del = await serviceError(() =>
    app.send(new DeleteObjectCommand({ Bucket: BUCKET, Key, VersionId: v1 })),
  );
  expect(del.name).toBe('AccessDenied');

  server.putIdentity(APP, [
    policies.userPolicy,
    allow('versions', ['s3:GetObjectVersion', 's3:ListBucketVersions', 's3:DeleteObjectVersion']),
  ]);
  const got = await app.send(new GetObjectCommand({ Bucket: BUCKET, Key, VersionId: v1 }));
  expect(await got.Body!.transformToString()).toBe('one');
  expect((await app.send(new ListObjectVersionsCommand({ Bucket: BUCKET }))).Versions).toHaveLength(2);
  await app.send(new DeleteObjectCommand({ Bucket: BUCKET, Key, VersionId: v1 }));
});

it('GetObjectAttributes needs s3:GetObject as well as s3:GetObjectAttributes', async () => {
  await using stack = await startAccessStack();
  const { root, server } = stack;
  const Key = 'chat/r1/a.txt';
  await root.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x' }));
  const auditor: Identity = {
    name: 'auditor',
    arn: 'arn:aws:iam::000000000000:user/auditor',
    accessKeyId: 'AKIAACCESSAUDITOR001',
    secretAccessKey: 'access-auditor-secret-000000000000000001',
    root: false,
  };
  server.putIdentity(auditor, [allow('attrs', ['s3:GetObjectAttributes'])]);
  const client = stack.client(auditor);
  const ask = () =>
    client.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key, ObjectAttributes: ['ObjectSize'] }));
  const denied = await serviceError(ask);
  expect(denied.name).toBe('AccessDenied');
  expect(
    server.decisions({ requestId: denied.$metadata.requestId }).map((d) => [d.action, d.allowed]),
  ).toEqual([
    ['s3:GetObjectAttributes', true],
    ['s3:GetObject', false],
  ]);
  server.putIdentity(auditor, [allow('attrs', ['s3:GetObjectAttributes', 's3:GetObject'])]);
  expect((await ask()).ObjectSize).toBe(1);
});
