import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type BucketPolicyChoice, loadStackPolicies } from '../../stack/policies/load-stack-policies.ts';
import { createAuthorizer } from '../../stack/s3/authz/authorizer.ts';
import { matchPreflight } from '../../stack/s3/authz/cors.ts';
import { defaultPublicAccessBlock } from '../../stack/s3/authz/public-access-block.ts';
import { validatePolicyForPut } from '../../stack/s3/authz/put-bucket-policy.ts';
import { appUser, BUCKET, request } from './fixtures.ts';

async function authorizerFor(choice: BucketPolicyChoice, bucket = BUCKET) {
  const p = await loadStackPolicies({ bucket, bucketPolicy: choice });
  return createAuthorizer({
    identityPolicies: (who) => (who.arn === appUser.arn ? [p.userPolicy] : []),
    bucketPolicy: (b) => (b === bucket ? p.bucketPolicy : undefined),
    publicAccessBlock: (b) => (b === bucket ? p.publicAccessBlock : defaultPublicAccessBlock()),
  });
}

describe("the guide's IAM user policy (focusmate-s3-user)", () => {
  it.each<[string, ReturnType<typeof request>, boolean]>([
    ['PutObject', request('s3:PutObject', { key: 'verifications/t1/doc.pdf' }), true],
    ['GetObject', request('s3:GetObject', { key: 'chat/room1/a.png' }), true],
    ['DeleteObject', request('s3:DeleteObject', { key: 'chat/room1/a.png' }), true],
    ['ListBucket (ListObjectsV2 / HeadBucket)', request('s3:ListBucket'), true],
    ['ListAllMyBuckets (the guide’s list_buckets() check)', request('s3:ListAllMyBuckets'), false],
    ['GetBucketPolicy', request('s3:GetBucketPolicy'), false],
    ['PutBucketPolicy', request('s3:PutBucketPolicy'), false],
    ['GetObject in another bucket', request('s3:GetObject', { bucket: 'other-bucket', key: 'a' }), false],
    ['ListBucket on another bucket', request('s3:ListBucket', { bucket: 'other-bucket' }), false],
    [
      'multipart: AbortMultipartUpload is not granted',
      request('s3:AbortMultipartUpload', { key: 'a' }),
      false,
    ],
  ])('%s → %s', async (_name, req, allowed) => {
    const authorize = await authorizerFor('none');
    expect(authorize(req).allowed).toBe(allowed);
  });

  it('explains the denied connection check', async () => {
    const authorize = await authorizerFor('default');
    expect(authorize(request('s3:ListAllMyBuckets')).reason).toBe(
      "Denied: no statement in identity policy 'focusmate-app-policy' allows s3:ListAllMyBuckets on *",
    );
    expect(authorize(request('s3:GetObject', { key: 'a' })).reason).toBe(
      "Allowed by identity policy 'focusmate-app-policy' statement #1",
    );
  });
});

describe('the default bucket policy (profile images only)', () => {
  it.each<[string, ReturnType<typeof request>, boolean]>([
    [
      'anonymous GetObject of a team profile image',
      request('s3:GetObject', { principal: null, key: 'teams/t1/profile/x.png' }),
      true,
    ],
    [
      'anonymous GetObject of a verification document',
      request('s3:GetObject', { principal: null, key: 'verifications/t1/doc.pdf' }),
      false,
    ],
    [
      'anonymous GetObject of a chat attachment',
      request('s3:GetObject', { principal: null, key: 'chat/room1/file.png' }),
      false,
    ],
    [
      'anonymous PutObject into the profile prefix',
      request('s3:PutObject', { principal: null, key: 'teams/t1/profile/x.png' }),
      false,
    ],
    ['anonymous ListBucket', request('s3:ListBucket', { principal: null }), false],
  ])('%s → %s', async (_name, req, allowed) => {
    const authorize = await authorizerFor('default');
    expect(authorize(req).allowed).toBe(allowed);
  });

  it('names its statement', async () => {
    const authorize = await authorizerFor('default');
    expect(
      authorize(request('s3:GetObject', { principal: null, key: 'teams/t1/profile/x.png' })).reason,
    ).toBe("Allowed by bucket policy statement 'PublicReadTeamProfileImages'");
  });

  it('seeds Block Public Access so the public statement can be put and used', async () => {
    const p = await loadStackPolicies({ bucket: BUCKET });
    expect(p.publicAccessBlock).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    // On a fresh bucket (all four flags on) the same policy is refused, as on AWS.
    expect(() => validatePolicyForPut(p.bucketPolicyJson!, BUCKET, defaultPublicAccessBlock())).toThrow(
      /because public policies are blocked by the BlockPublicPolicy block public access setting/,
    );
    expect((await loadStackPolicies({ bucket: BUCKET, bucketPolicy: 'none' })).publicAccessBlock).toEqual(
      defaultPublicAccessBlock(),
    );
  });
});

describe("the guide's literal public-read policy (one option away)", () => {
  it('makes verification documents world-readable', async () => {
    const authorize = await authorizerFor('guide-public');
    expect(
      authorize(request('s3:GetObject', { principal: null, key: 'verifications/t1/doc.pdf' })).reason,
    ).toBe("Allowed by bucket policy statement 'PublicReadGetObject'");
    expect(authorize(request('s3:PutObject', { principal: null, key: 'x' })).allowed).toBe(false);
  });
});

describe('loadStackPolicies', () => {
  it('retargets the guide bucket to the configured one', async () => {
    const p = await loadStackPolicies({ bucket: 'my-dev-bucket' });
    expect(p.userPolicy.policy.statements[0]?.resources).toEqual([
      'arn:aws:s3:::my-dev-bucket',
      'arn:aws:s3:::my-dev-bucket/*',
    ]);
    expect(p.bucketPolicy?.statements[0]?.resources).toEqual([
      'arn:aws:s3:::my-dev-bucket/teams/*/profile/*',
    ]);
    expect(JSON.parse(p.bucketPolicyJson!).Statement[0].Resource).toBe(
      'arn:aws:s3:::my-dev-bucket/teams/*/profile/*',
    );
    const authorize = await authorizerFor('default', 'my-dev-bucket');
    expect(authorize(request('s3:GetObject', { bucket: 'my-dev-bucket', key: 'a' })).allowed).toBe(true);
    expect(authorize(request('s3:GetObject', { bucket: BUCKET, key: 'a' })).allowed).toBe(false);
  });

  it('keeps the guide’s user policy verbatim in the file', async () => {
    const dir = fileURLToPath(new URL('../../stack/policies/', import.meta.url));
    const doc = JSON.parse(await readFile(join(dir, 'app-user-policy.json'), 'utf8'));
    expect(doc.Statement[0].Action).toEqual([
      's3:PutObject',
      's3:GetObject',
      's3:DeleteObject',
      's3:ListBucket',
    ]);
    expect(doc.Statement[0].Resource).toEqual([
      'arn:aws:s3:::focusmate-uploads',
      'arn:aws:s3:::focusmate-uploads/*',
    ]);
  });

  it('loads CORS rules that expose ETag, with origins overridable', async () => {
    const p = await loadStackPolicies({ bucket: BUCKET, corsOrigins: ['http://127.0.0.1:5555'] });
    expect(p.cors[0]?.exposeHeaders).toContain('ETag');
    expect(
      matchPreflight(p.cors, {
        origin: 'http://127.0.0.1:5555',
        method: 'PUT',
        requestHeaders: 'content-type',
      }),
    ).not.toBeNull();
    expect(matchPreflight(p.cors, { origin: 'http://localhost:3000', method: 'PUT' })).toBeNull();
    expect(p.corsXml).toContain('<ExposeHeader>ETag</ExposeHeader>');
  });

  it('fails with the file name and AWS message on a malformed policy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'policies-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const src = fileURLToPath(new URL('../../stack/policies/', import.meta.url));
    for (const f of ['app-user-policy.json', 'cors.json', 'bucket-policy-guide-public.json']) {
      await writeFile(join(dir, f), await readFile(join(src, f)));
    }
    await writeFile(
      join(dir, 'bucket-policy.json'),
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::focusmate-uploads/*' },
        ],
      }),
    );
    await expect(loadStackPolicies({ bucket: BUCKET, dir })).rejects.toThrow(
      `${join(dir, 'bucket-policy.json')}: Missing required field Principal`,
    );
  });
});
