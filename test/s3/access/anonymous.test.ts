// Anonymous callers (plain fetch, no signature) against the stack's bucket policies and Block
// Public Access, as AWS applies them.
import {
  GetBucketPolicyStatusCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { loadStackPolicies } from '../../../stack/policies/load-stack-policies.ts';
import { type AccessStack, BUCKET, errorCode, serviceError, startAccessStack } from './harness.ts';

const PROFILE = 'teams/t1/profile/x.png';
const VERIFICATION = 'verifications/u1/id-card.pdf';
const CHAT = 'chat/room1/photo.jpg';

async function seedObjects(stack: AccessStack): Promise<void> {
  for (const key of [PROFILE, VERIFICATION, CHAT]) {
    await stack.app.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `bytes of ${key}` }));
  }
}

function anon(stack: AccessStack, path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${stack.server.url}/${BUCKET}/${path}`, init);
}

describe('the default bucket policy (anonymous read of team profile images only)', () => {
  it('serves profile images and refuses verification documents, chat attachments, writes and listing', async () => {
    await using stack = await startAccessStack();
    await seedObjects(stack);

    const image = await anon(stack, PROFILE);
    expect(image.status).toBe(200);
    expect(await image.text()).toBe(`bytes of ${PROFILE}`);
    const [allowed] = stack.server.decisions({ requestId: image.headers.get('x-amz-request-id')! });
    expect(allowed).toMatchObject({ principal: 'anonymous', allowed: true, decidedBy: { policy: 'bucket' } });
    expect(allowed!.reason).toContain("'PublicReadTeamProfileImages'");

    for (const key of [VERIFICATION, CHAT]) {
      const r = await anon(stack, key);
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toBe('application/xml');
      const body = await r.text();
      expect(errorCode(body)).toBe('AccessDenied');
      // The wire error is worded as AWS words it; the explanation is in the decision log.
      expect(body).toContain('<Message>Access Denied</Message>');
      const [why] = stack.server.decisions({ requestId: r.headers.get('x-amz-request-id')! });
      expect(why!.reason).toMatch(/no statement in the bucket policy allows anonymous s3:GetObject/);
    }

    const put = await anon(stack, 'teams/t1/profile/new.png', { method: 'PUT', body: 'sneaky' });
    expect(put.status).toBe(403);
    expect(errorCode(await put.text())).toBe('AccessDenied');
    expect(stack.server.headObject(BUCKET, 'teams/t1/profile/new.png')).toBeUndefined();

    const list = await fetch(`${stack.server.url}/${BUCKET}?list-type=2`);
    expect(list.status).toBe(403);
    expect(errorCode(await list.text())).toBe('AccessDenied');

    // No s3:ListBucket for anonymous: a missing public key is 403, not 404, as on AWS.
    expect((await anon(stack, 'teams/t1/profile/missing.png')).status).toBe(403);

    const status = await stack.root.send(new GetBucketPolicyStatusCommand({ Bucket: BUCKET }));
    expect(status.PolicyStatus?.IsPublic).toBe(true);
  });

  it('RestrictPublicBuckets takes the public grant away, and the decision says Block Public Access', async () => {
    await using stack = await startAccessStack();
    await seedObjects(stack);
    expect((await anon(stack, PROFILE)).status).toBe(200);
    await stack.root.send(
      new PutPublicAccessBlockCommand({
        Bucket: BUCKET,
        PublicAccessBlockConfiguration: { ...stack.policies.publicAccessBlock, RestrictPublicBuckets: true },
      }),
    );
    const r = await anon(stack, PROFILE);
    expect(r.status).toBe(403);
    expect(errorCode(await r.text())).toBe('AccessDenied');
    const [why] = stack.server.decisions({ requestId: r.headers.get('x-amz-request-id')! });
    expect(why!.decidedBy).toMatchObject({ policy: 'block-public-access', name: 'RestrictPublicBuckets' });
    expect(why!.reason).toContain('Block Public Access');
    // The account's own user is not affected by RestrictPublicBuckets.
    await stack.app.send(new GetObjectCommand({ Bucket: BUCKET, Key: PROFILE }));
  });

  it('refuses a public policy while BlockPublicPolicy is on, as on a new AWS bucket', async () => {
    await using stack = await startAccessStack({ bucketPolicy: 'none' });
    const pab = await stack.root.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const { bucketPolicyJson } = await loadStackPolicies({ bucket: BUCKET, bucketPolicy: 'default' });
    const denied = await serviceError(() =>
      stack.root.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: bucketPolicyJson })),
    );
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toBe(
      `User: arn:aws:iam::000000000000:root is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${BUCKET}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    );
    const malformed = await serviceError(() =>
      stack.root.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: '{"Version":"2012-10-17"}' })),
    );
    expect(malformed.name).toBe('MalformedPolicy');
    expect(malformed.$metadata.httpStatusCode).toBe(400);
    // Nothing was stored: anonymous reads stay refused.
    await seedObjects(stack);
    expect((await anon(stack, PROFILE)).status).toBe(403);
  });
});

describe("the guide's literal whole-bucket policy ('guide-public')", () => {
  it('makes every object readable anonymously, verification documents included', async () => {
    await using stack = await startAccessStack({ bucketPolicy: 'guide-public' });
    await seedObjects(stack);
    for (const key of [PROFILE, VERIFICATION, CHAT]) {
      const r = await anon(stack, key);
      expect(r.status).toBe(200);
      expect(await r.text()).toBe(`bytes of ${key}`);
    }
    // Read, not write or list.
    expect((await anon(stack, 'x.txt', { method: 'PUT', body: 'x' })).status).toBe(403);
    expect((await fetch(`${stack.server.url}/${BUCKET}`)).status).toBe(403);
  });
});
