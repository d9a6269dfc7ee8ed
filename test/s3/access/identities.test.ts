// The handle's identity registry (users added, keys rotated, deactivated, removed — each seen by
// the very next request) and its decision log, for the engine and for an `authorize` override.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../../stack/s3/authz/decision-log.ts';
import type { Identity } from '../../../stack/s3/identity.ts';
import { startS3Server } from '../../../stack/s3/server.ts';
import { APP, BUCKET, clientFor, ROOT, serviceError, startAccessStack } from './harness.ts';

const ROTATED: Identity = {
  ...APP,
  accessKeyId: 'AKIAACCESSAPPUSER002',
  secretAccessKey: 'access-app-secret-00000000000000000000002',
};

describe('identity registry', () => {
  it('adds users, rotates and deactivates keys, with immediate effect', async () => {
    await using stack = await startAccessStack();
    const { server, policies } = stack;
    const put = (id: Identity, key: string) =>
      stack.client(id).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));

    // A user with no policy: authenticated, but nothing allows anything.
    const intern: Identity = {
      name: 'intern',
      arn: 'arn:aws:iam::000000000000:user/intern',
      accessKeyId: 'AKIAACCESSINTERN0001',
      secretAccessKey: 'access-intern-secret-00000000000000000001',
      root: false,
    };
    server.putIdentity(intern);
    const denied = await serviceError(() => put(intern, 'chat/i.txt'));
    expect(denied.name).toBe('AccessDenied');
    expect(server.decisions({ requestId: denied.$metadata.requestId })[0]!.reason).toMatch(
      /^Denied: no statement in the bucket policy allows s3:PutObject/,
    );
    server.putIdentity(intern, [policies.userPolicy]);
    await put(intern, 'chat/i.txt');

    // A second key of the app user carries the user's policies.
    server.putIdentity(ROTATED);
    await put(ROTATED, 'chat/rotated.txt');
    expect(server.identities().filter((i) => i.name === APP.name)).toHaveLength(2);

    server.setIdentityActive(APP.accessKeyId, false);
    const inactive = await serviceError(() => put(APP, 'chat/old.txt'));
    expect(inactive.name).toBe('InvalidAccessKeyId');
    server.setIdentityActive(APP.accessKeyId, true);
    await put(APP, 'chat/old.txt');

    server.removeIdentity(APP.accessKeyId);
    expect((await serviceError(() => put(APP, 'chat/gone.txt'))).name).toBe('InvalidAccessKeyId');
    await put(ROTATED, 'chat/still.txt');
    expect(() => server.setIdentityActive(APP.accessKeyId, true)).toThrow(/no identity has access key/);
  });

  it('seeds users with their policies from the identities option; root is always allowed', async () => {
    const { loadStackPolicies } = await import('../../../stack/policies/load-stack-policies.ts');
    const { userPolicy } = await loadStackPolicies({ bucket: BUCKET });
    const seen: DecisionRecord[] = [];
    await using server = await startS3Server({
      identities: [ROOT, { ...APP, policies: [userPolicy] }],
      onDecision: (d) => seen.push(d),
    });
    await server.createBucket(BUCKET);
    const app = clientFor(server.url, APP);
    await app.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.txt', Body: 'a' }));
    const root = clientFor(server.url, ROOT);
    // A bucket that does not exist is NoSuchBucket before any policy is asked.
    const missing = await serviceError(() =>
      root.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'a', Body: 'a' })),
    );
    expect(missing.name).toBe('NoSuchBucket');
    await root.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'b.txt', Body: 'b' }));
    expect(seen.map((d) => [d.principal, d.action, d.allowed, d.decidedBy.policy])).toEqual([
      [APP.arn, 's3:PutObject', true, 'identity'],
      [ROOT.arn, 's3:PutObject', true, 'root'],
    ]);
    expect(server.decisions()).toEqual(seen);
    server.clearDecisions();
    expect(server.decisions()).toEqual([]);
    app.destroy();
    root.destroy();
  });

  it('records the decisions of an authorize override too', async () => {
    await using server = await startS3Server({
      identities: [ROOT],
      authorize: (r) => ({ allowed: r.principal !== null, reason: r.principal ? 'signed' : 'unsigned' }),
    });
    await server.createBucket('override');
    const r = await fetch(`${server.url}/override/k`);
    expect(r.status).toBe(403);
    expect(server.decisions()).toEqual([
      expect.objectContaining({
        requestId: r.headers.get('x-amz-request-id'),
        principal: 'anonymous',
        operation: 'GetObject',
        allowed: false,
        reason: 'unsigned',
        decidedBy: { policy: 'default' },
      }),
    ]);
  });
});
