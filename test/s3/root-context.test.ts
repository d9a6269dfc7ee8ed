// The dispatcher skips building condition keys only where the policy engine never reads them
// (the root user). A caller's authorize hook still gets every request's full context, root's
// included, and the engine's decisions for root are recorded as before.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../stack/s3/authz/types.ts';
import { startS3Server } from '../../stack/s3/server.ts';
import { client, ROOT } from './fixtures.ts';

describe("root's condition keys", () => {
  it('an authorize hook sees them in full', async () => {
    const asked: AccessRequest[] = [];
    await using srv = await startS3Server({
      identities: [ROOT],
      authorize: (r) => {
        asked.push(r);
        return { allowed: true, reason: 'hook' };
      },
    });
    const s3 = client(srv.url);
    await srv.createBucket('ctx');
    await s3.send(new PutObjectCommand({ Bucket: 'ctx', Key: 'k', Body: 'x' }));
    asked.length = 0;
    await (await s3.send(new GetObjectCommand({ Bucket: 'ctx', Key: 'k' }))).Body?.transformToString();
    expect(asked).toHaveLength(1);
    expect(asked[0]!.context).toMatchObject({
      'aws:SourceIp': '127.0.0.1',
      'aws:SecureTransport': 'false',
      'aws:PrincipalType': 'Account',
      's3:authType': 'REST-HEADER',
      's3:signatureversion': 'AWS4-HMAC-SHA256',
    });
    expect(asked[0]!.context['aws:PrincipalArn']).toBe(asked[0]!.principal?.arn);
    expect(asked[0]!.context['aws:CurrentTime']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    s3.destroy();
  });

  it('the policy engine allows and records root without them', async () => {
    await using srv = await startS3Server({ identities: [ROOT] });
    const s3 = client(srv.url);
    await srv.createBucket('ctx');
    await s3.send(new PutObjectCommand({ Bucket: 'ctx', Key: 'k', Body: 'x' }));
    srv.clearDecisions();
    await (await s3.send(new GetObjectCommand({ Bucket: 'ctx', Key: 'k' }))).Body?.transformToString();
    const get = srv.decisions().filter((d) => d.operation === 'GetObject');
    expect(get).toEqual([
      expect.objectContaining({
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::ctx/k',
        bucket: 'ctx',
        key: 'k',
        allowed: true,
        reason: 'Allowed: the account root user is always allowed',
        decidedBy: { policy: 'root' },
      }),
    ]);
    const entry = srv.requests().find((r) => r.operation === 'GetObject');
    expect(entry?.decisions).toEqual([
      {
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::ctx/k',
        allowed: true,
        reason: 'Allowed: the account root user is always allowed',
        decidedBy: { policy: 'root' },
      },
    ]);
    s3.destroy();
  });
});
