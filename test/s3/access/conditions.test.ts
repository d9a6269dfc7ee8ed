// Policy evaluation with real requests: an explicit Deny in the bucket policy beats the user's
// Allow, and conditions on aws:SecureTransport, s3:prefix and aws:SourceIp are evaluated against
// what the request actually carried.
import { Agent } from 'node:https';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { parseIdentityPolicy } from '../../../stack/s3/authz/policy-parse.ts';
import type { Identity } from '../../../stack/s3/identity.ts';
import { createCaCertificate, createLeafCertificate } from '../../../stack/tls/x509.ts';
import { type AccessStack, APP, BUCKET, errorCode, serviceError, startAccessStack } from './harness.ts';

function withStatements(stack: AccessStack, ...statements: object[]): string {
  const doc = JSON.parse(stack.policies.bucketPolicyJson!);
  doc.Statement.push(...statements);
  return JSON.stringify(doc);
}

const DENY_INSECURE = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

describe('explicit Deny', () => {
  it("in the bucket policy beats the app user's identity-policy Allow", async () => {
    await using stack = await startAccessStack();
    const policy = withStatements(stack, {
      Sid: 'NoAppReadsOfVerifications',
      Effect: 'Deny',
      Principal: { AWS: APP.arn },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/verifications/*`,
    });
    await stack.root.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy }));
    await stack.app.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'verifications/u1/id.pdf', Body: 'id' }),
    );
    await stack.app.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'chat/r/a.txt', Body: 'chat' }));
    await stack.app.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'chat/r/a.txt' }));
    const e = await serviceError(() =>
      stack.app.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'verifications/u1/id.pdf' })),
    );
    expect(e.name).toBe('AccessDenied');
    const [why] = stack.server.decisions({ requestId: e.$metadata.requestId });
    expect(why!.decidedBy).toMatchObject({ policy: 'bucket', sid: 'NoAppReadsOfVerifications' });
    expect(why!.reason).toContain('explicit Deny');
    // Root is never bound by policies.
    await stack.root.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'verifications/u1/id.pdf' }));
  });
});

describe('aws:SecureTransport', () => {
  it('a Deny on insecure transport refuses plain HTTP and lets HTTPS through', async () => {
    const ca = createCaCertificate('access-test CA', 1);
    const leaf = createLeafCertificate(ca, ['127.0.0.1', 'localhost'], 1);
    const agent = new Agent({ ca: ca.certPem });
    await using https = await startAccessStack({
      server: { tls: { cert: leaf.certPem, key: leaf.keyPem } },
      clientConfig: { requestHandler: { httpsAgent: agent } },
    });
    await using http = await startAccessStack();
    expect(https.server.url).toMatch(/^https:/);
    for (const stack of [https, http]) {
      await stack.root.send(
        new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: withStatements(stack, DENY_INSECURE) }),
      );
    }
    await https.app.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'chat/ok.txt', Body: 'over TLS' }));
    expect(https.server.decisions({ limit: 1 })[0]).toMatchObject({ allowed: true, action: 's3:PutObject' });

    const e = await serviceError(() =>
      http.app.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'chat/ok.txt', Body: 'in clear' })),
    );
    expect(e.name).toBe('AccessDenied');
    expect(http.server.decisions({ requestId: e.$metadata.requestId })[0]!.decidedBy).toMatchObject({
      policy: 'bucket',
      sid: 'DenyInsecureTransport',
    });
    // Everyone, anonymous included, is refused in the clear; the profile grant does not help.
    expect((await fetch(`${http.server.url}/${BUCKET}/teams/t/profile/p.png`)).status).toBe(403);
    agent.destroy();
  });
});

describe('s3:prefix', () => {
  it('a ListBucket Allow conditioned on StringLike s3:prefix lists only under that prefix', async () => {
    await using stack = await startAccessStack({ bucketPolicy: 'none' });
    const support: Identity = {
      name: 'support-user',
      arn: 'arn:aws:iam::000000000000:user/support-user',
      accessKeyId: 'AKIAACCESSSUPPORT001',
      secretAccessKey: 'access-support-secret-000000000000000001',
      root: false,
    };
    const policy = parseIdentityPolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ListTeamsOnly',
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: `arn:aws:s3:::${BUCKET}`,
            Condition: { StringLike: { 's3:prefix': ['teams/*'] } },
          },
        ],
      }),
    );
    stack.server.putIdentity(support, [{ name: 'support-list-teams', policy }]);
    await stack.app.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'teams/t1/profile/p.png', Body: 'p' }));
    const s = stack.client(support);
    const ok = await s.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'teams/' }));
    expect(ok.Contents?.map((o) => o.Key)).toEqual(['teams/t1/profile/p.png']);
    for (const prefix of ['verifications/', undefined]) {
      const e = await serviceError(() =>
        s.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix })),
      );
      expect(e.name).toBe('AccessDenied');
      const [why] = stack.server.decisions({ requestId: e.$metadata.requestId });
      expect(why!.reason).toContain(
        "statement 'ListTeamsOnly' matched but its condition StringLike s3:prefix",
      );
    }
  });
});

describe('aws:SourceIp', () => {
  it('an anonymous grant pinned to source addresses is not public, applies under Block Public Access, and checks the caller address', async () => {
    await using stack = await startAccessStack({ bucketPolicy: 'none' });
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'LoopbackMayRead',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/loopback/*`,
          Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
        },
        {
          Sid: 'OfficeMayRead',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/office/*`,
          Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        },
      ],
    });
    // All four Block Public Access flags are on, and the policy is still accepted: it is not public.
    await stack.root.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy }));
    for (const key of ['loopback/a.txt', 'office/a.txt']) {
      await stack.root.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    }
    const near = await fetch(`${stack.server.url}/${BUCKET}/loopback/a.txt`);
    expect(near.status).toBe(200);
    const far = await fetch(`${stack.server.url}/${BUCKET}/office/a.txt`);
    expect(far.status).toBe(403);
    expect(errorCode(await far.text())).toBe('AccessDenied');
    const [why] = stack.server.decisions({ requestId: far.headers.get('x-amz-request-id')! });
    expect(why!.reason).toContain('IpAddress aws:SourceIp "10.0.0.0/8" did not hold');
  });
});
