// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are literal policy text
import { describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../stack/s3/authz/authorizer.ts';
import { parseBucketPolicy, parseIdentityPolicy } from '../../stack/s3/authz/policy-parse.ts';
import type { NamedPolicy, ParsedPolicy, PublicAccessBlockFlags } from '../../stack/s3/authz/policy-types.ts';
import type { AccessRequest } from '../../stack/s3/authz/types.ts';
import type { Identity } from '../../stack/s3/identity.ts';
import { appUser, BUCKET, otherUser, request, root } from './fixtures.ts';

const OPEN: PublicAccessBlockFlags = {
  BlockPublicAcls: false,
  IgnorePublicAcls: false,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};

function decide(
  req: AccessRequest,
  setup: { identity?: object[]; bucket?: object; pab?: PublicAccessBlockFlags; names?: string[] } = {},
) {
  const identity: NamedPolicy[] = (setup.identity ?? []).map((doc, i) => ({
    name: setup.names?.[i] ?? `policy-${i + 1}`,
    policy: parseIdentityPolicy({ Version: '2012-10-17', ...doc }),
  }));
  const bucketPolicy: ParsedPolicy | undefined = setup.bucket
    ? parseBucketPolicy({ Version: '2012-10-17', ...setup.bucket }, BUCKET)
    : undefined;
  const authorize = createAuthorizer({
    identityPolicies: (who: Identity) => (who.arn === appUser.arn ? identity : []),
    bucketPolicy: () => bucketPolicy,
    publicAccessBlock: () => setup.pab ?? OPEN,
  });
  return authorize(req);
}

const allowAll = (action: string | string[], resource: string | string[] = '*') => ({
  Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
});
const obj = (key = '*') => `arn:aws:s3:::${BUCKET}/${key}`;
const bucketArn = `arn:aws:s3:::${BUCKET}`;

describe('evaluation: explicit deny, allow, implicit deny', () => {
  it.each<[string, AccessRequest, Parameters<typeof decide>[1], boolean]>([
    [
      'identity allow only',
      request('s3:GetObject', { key: 'a' }),
      { identity: [allowAll('s3:GetObject')] },
      true,
    ],
    [
      'bucket policy allow only (user ARN principal grants directly)',
      request('s3:GetObject', { key: 'a' }),
      {
        bucket: {
          Statement: [
            { Effect: 'Allow', Principal: { AWS: appUser.arn }, Action: 's3:GetObject', Resource: obj() },
          ],
        },
      },
      true,
    ],
    ['nothing applies → implicit deny', request('s3:GetObject', { key: 'a' }), {}, false],
    [
      'identity deny beats bucket allow',
      request('s3:GetObject', { key: 'a' }),
      {
        identity: [{ Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }] }],
        bucket: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: obj() }] },
      },
      false,
    ],
    [
      'bucket deny beats identity allow',
      request('s3:PutObject', { key: 'a' }),
      {
        identity: [allowAll('s3:*')],
        bucket: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: obj() }] },
      },
      false,
    ],
    [
      'deny in one identity policy beats allow in another',
      request('s3:DeleteObject', { key: 'a' }),
      {
        identity: [
          allowAll('s3:*'),
          { Statement: [{ Effect: 'Deny', Action: 's3:Delete*', Resource: '*' }] },
        ],
      },
      false,
    ],
    [
      'deny whose condition fails does not apply',
      request('s3:GetObject', { key: 'a', context: { 'aws:SecureTransport': 'true' } }),
      {
        identity: [allowAll('s3:GetObject')],
        bucket: {
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: obj(),
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
      true,
    ],
    [
      'deny on aws:SecureTransport false applies over http',
      request('s3:GetObject', { key: 'a', context: { 'aws:SecureTransport': 'false' } }),
      {
        identity: [allowAll('s3:GetObject')],
        bucket: {
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: obj(),
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
      false,
    ],
    [
      'NotAction allows everything else',
      request('s3:PutObject', { key: 'a' }),
      { identity: [{ Statement: [{ Effect: 'Allow', NotAction: 's3:Delete*', Resource: '*' }] }] },
      true,
    ],
    [
      'NotAction excludes the named',
      request('s3:DeleteObject', { key: 'a' }),
      { identity: [{ Statement: [{ Effect: 'Allow', NotAction: 's3:Delete*', Resource: '*' }] }] },
      false,
    ],
    [
      'NotResource allows elsewhere',
      request('s3:GetObject', { key: 'teams/a' }),
      {
        identity: [
          { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', NotResource: obj('verifications/*') }] },
        ],
      },
      true,
    ],
    [
      'NotResource excludes the named',
      request('s3:GetObject', { key: 'verifications/a' }),
      {
        identity: [
          { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', NotResource: obj('verifications/*') }] },
        ],
      },
      false,
    ],
    [
      'action wildcard s3:Get*',
      request('s3:GetObjectTagging', { key: 'a' }),
      { identity: [allowAll('s3:Get*')] },
      true,
    ],
    [
      'action wildcard ? (one char)',
      request('s3:PutObject', { key: 'a' }),
      { identity: [allowAll('s3:?utObject')] },
      true,
    ],
    [
      'action names are case-insensitive',
      request('s3:GetObject', { key: 'a' }),
      { identity: [allowAll('S3:getobject')] },
      true,
    ],
    [
      'action wildcard does not over-match',
      request('s3:PutObject', { key: 'a' }),
      { identity: [allowAll('s3:Get*')] },
      false,
    ],
    [
      'resource * in key',
      request('s3:GetObject', { key: 'teams/t1/profile/x.png' }),
      { identity: [allowAll('s3:GetObject', obj('teams/*/profile/*'))] },
      true,
    ],
    [
      'resource ? is one character',
      request('s3:GetObject', { key: 'teams/t1' }),
      { identity: [allowAll('s3:GetObject', obj('teams/t?'))] },
      true,
    ],
    [
      'resource ? does not match two',
      request('s3:GetObject', { key: 'teams/t12' }),
      { identity: [allowAll('s3:GetObject', obj('teams/t?'))] },
      false,
    ],
    [
      'resources are case-sensitive',
      request('s3:GetObject', { key: 'Teams/a' }),
      { identity: [allowAll('s3:GetObject', obj('teams/*'))] },
      false,
    ],
    [
      'object ARN pattern does not match the bucket',
      request('s3:ListBucket'),
      { identity: [allowAll('s3:ListBucket', obj())] },
      false,
    ],
    [
      'policy variable in Resource',
      request('s3:PutObject', { key: 'home/focusmate-s3-user/a.txt' }),
      { identity: [allowAll('s3:PutObject', obj('home/${aws:username}/*'))] },
      true,
    ],
    [
      'policy variable in Resource (someone else’s home)',
      request('s3:PutObject', { key: 'home/other/a.txt' }),
      { identity: [allowAll('s3:PutObject', obj('home/${aws:username}/*'))] },
      false,
    ],
    [
      'no variables in a 2008-10-17 policy: ${...} is literal text',
      request('s3:PutObject', { key: 'home/focusmate-s3-user/a.txt' }),
      { identity: [{ Version: '2008-10-17', ...allowAll('s3:PutObject', obj('home/${aws:username}/*')) }] },
      false,
    ],
    [
      'NotPrincipal deny spares the named user',
      request('s3:DeleteObject', { key: 'a' }),
      {
        identity: [allowAll('s3:*')],
        bucket: {
          Statement: [
            {
              Effect: 'Deny',
              NotPrincipal: { AWS: appUser.arn },
              Action: 's3:DeleteObject',
              Resource: obj(),
            },
          ],
        },
      },
      true,
    ],
    [
      'NotPrincipal deny hits everyone else (anonymous too)',
      request('s3:GetObject', { key: 'a', principal: null }),
      {
        bucket: {
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: obj() },
            { Effect: 'Deny', NotPrincipal: { AWS: appUser.arn }, Action: 's3:GetObject', Resource: obj() },
          ],
        },
      },
      false,
    ],
    [
      'account principal Deny covers the account’s users',
      request('s3:GetObject', { key: 'a' }),
      {
        identity: [allowAll('s3:*')],
        bucket: {
          Statement: [
            { Effect: 'Deny', Principal: { AWS: '000000000000' }, Action: 's3:GetObject', Resource: obj() },
          ],
        },
      },
      false,
    ],
    [
      'account principal Allow delegates: a user without identity policy is denied',
      request('s3:GetObject', { key: 'a', principal: otherUser }),
      {
        bucket: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::000000000000:root' },
              Action: 's3:GetObject',
              Resource: obj(),
            },
          ],
        },
      },
      false,
    ],
    [
      'a bucket statement for another user does not apply',
      request('s3:GetObject', { key: 'a', principal: otherUser }),
      {
        bucket: {
          Statement: [
            { Effect: 'Allow', Principal: { AWS: appUser.arn }, Action: 's3:GetObject', Resource: obj() },
          ],
        },
      },
      false,
    ],
    [
      'anonymous allowed by Principal *',
      request('s3:GetObject', { key: 'a', principal: null }),
      {
        bucket: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: obj() }] },
      },
      true,
    ],
    [
      'anonymous allowed by {"AWS":"*"}',
      request('s3:GetObject', { key: 'a', principal: null }),
      {
        bucket: {
          Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: obj() }],
        },
      },
      true,
    ],
    [
      'anonymous not allowed by a user-principal statement',
      request('s3:GetObject', { key: 'a', principal: null }),
      {
        bucket: {
          Statement: [
            { Effect: 'Allow', Principal: { AWS: appUser.arn }, Action: 's3:GetObject', Resource: obj() },
          ],
        },
      },
      false,
    ],
    ['anonymous with no bucket policy', request('s3:GetObject', { key: 'a', principal: null }), {}, false],
    [
      'root is always allowed',
      request('s3:DeleteBucket', { principal: root }),
      { bucket: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: bucketArn }] } },
      true,
    ],
    [
      'condition on the allow: source IP inside the range',
      request('s3:GetObject', { key: 'a', context: { 'aws:SourceIp': '127.0.0.1' } }),
      {
        identity: [
          {
            Statement: [
              {
                Effect: 'Allow',
                Action: 's3:GetObject',
                Resource: '*',
                Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
              },
            ],
          },
        ],
      },
      true,
    ],
    [
      'condition on the allow: source IP outside the range',
      request('s3:GetObject', { key: 'a', context: { 'aws:SourceIp': '192.0.2.1' } }),
      {
        identity: [
          {
            Statement: [
              {
                Effect: 'Allow',
                Action: 's3:GetObject',
                Resource: '*',
                Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
              },
            ],
          },
        ],
      },
      false,
    ],
    [
      'multiple keys are AND-ed',
      request('s3:ListBucket', { context: { 's3:prefix': 'teams/', 's3:max-keys': '5000' } }),
      {
        identity: [
          {
            Statement: [
              {
                Effect: 'Allow',
                Action: 's3:ListBucket',
                Resource: bucketArn,
                Condition: {
                  StringLike: { 's3:prefix': 'teams/*' },
                  NumericLessThanEquals: { 's3:max-keys': '1000' },
                },
              },
            ],
          },
        ],
      },
      false,
    ],
    [
      'aws:username is derived from the authenticated identity, not the request',
      request('s3:GetObject', { key: 'a', context: { 'aws:username': 'admin' } }),
      {
        identity: [
          {
            Statement: [
              {
                Effect: 'Allow',
                Action: 's3:GetObject',
                Resource: '*',
                Condition: { StringEquals: { 'aws:username': 'admin' } },
              },
            ],
          },
        ],
      },
      false,
    ],
  ])('%s', (_name, req, setup, allowed) => {
    expect(decide(req, setup).allowed).toBe(allowed);
  });
});

describe('explanations', () => {
  it('names the identity policy and statement that allowed', () => {
    const d = decide(request('s3:GetObject', { key: 'a' }), {
      identity: [allowAll('s3:GetObject')],
      names: ['focusmate-app-policy'],
    });
    expect(d).toEqual({
      allowed: true,
      reason: "Allowed by identity policy 'focusmate-app-policy' statement #1",
      decidedBy: { policy: 'identity', name: 'focusmate-app-policy', sid: undefined, index: 0 },
    });
  });

  it('names a bucket policy statement by Sid', () => {
    const d = decide(request('s3:GetObject', { key: 'teams/t1/profile/a.png', principal: null }), {
      bucket: {
        Statement: [
          {
            Sid: 'PublicReadProfileImages',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: obj('teams/*'),
          },
        ],
      },
    });
    expect(d.reason).toBe("Allowed by bucket policy statement 'PublicReadProfileImages'");
    expect(d.decidedBy).toMatchObject({
      policy: 'bucket',
      name: BUCKET,
      sid: 'PublicReadProfileImages',
      index: 0,
    });
  });

  it('explicit deny names the statement number and Sid', () => {
    const d = decide(request('s3:GetObject', { key: 'a', context: { 'aws:SecureTransport': 'false' } }), {
      identity: [allowAll('s3:*')],
      bucket: {
        Statement: [
          { Sid: 'Read', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: obj() },
          {
            Sid: 'DenyInsecure',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: obj(),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    });
    expect(d.reason).toBe('Denied by explicit Deny in bucket policy statement #2 (Sid DenyInsecure)');
    expect(d.decidedBy).toMatchObject({ policy: 'bucket', sid: 'DenyInsecure', index: 1 });
  });

  it('explicit deny in an identity policy names the policy', () => {
    const d = decide(request('s3:DeleteObject', { key: 'a' }), {
      identity: [{ Statement: [{ Effect: 'Deny', Action: 's3:Delete*', Resource: '*' }] }],
      names: ['no-deletes'],
    });
    expect(d.reason).toBe("Denied by explicit Deny in identity policy 'no-deletes' statement #1");
  });

  it('implicit deny lists where it looked', () => {
    const d = decide(request('s3:ListAllMyBuckets'), {
      identity: [allowAll('s3:GetObject', obj())],
      names: ['focusmate-app-policy'],
    });
    expect(d).toEqual({
      allowed: false,
      reason:
        "Denied: no statement in identity policy 'focusmate-app-policy' allows s3:ListAllMyBuckets on *",
      decidedBy: { policy: 'default' },
    });
    const withBucket = decide(request('s3:GetBucketPolicy'), {
      identity: [allowAll('s3:GetObject', obj())],
      names: ['focusmate-app-policy'],
      bucket: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: obj() }] },
    });
    expect(withBucket.reason).toBe(
      `Denied: no statement in identity policy 'focusmate-app-policy' or the bucket policy allows s3:GetBucketPolicy on ${bucketArn}`,
    );
  });

  it('implicit deny points at a statement whose condition failed', () => {
    const d = decide(request('s3:GetObject', { key: 'a', context: { 'aws:SourceIp': '192.0.2.1' } }), {
      identity: [
        {
          Statement: [
            {
              Sid: 'OfficeOnly',
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: '*',
              Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
            },
          ],
        },
      ],
      names: ['office'],
    });
    expect(d.reason).toBe(
      `Denied: no statement in identity policy 'office' allows s3:GetObject on ${obj('a')}; identity policy 'office' statement 'OfficeOnly' matched but its condition IpAddress aws:SourceIp "10.0.0.0/8" did not hold`,
    );
  });

  it('explains anonymous denials and account delegation', () => {
    expect(decide(request('s3:GetObject', { key: 'a', principal: null })).reason).toBe(
      `Denied: anonymous requests are allowed only by a bucket policy, and bucket '${BUCKET}' has none`,
    );
    expect(
      decide(request('s3:PutObject', { key: 'a', principal: null }), {
        bucket: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: obj() }] },
      }).reason,
    ).toBe(`Denied: no statement in the bucket policy allows anonymous s3:PutObject on ${obj('a')}`);
    const delegated = decide(request('s3:GetObject', { key: 'a', principal: otherUser }), {
      bucket: {
        Statement: [
          {
            Sid: 'Account',
            Effect: 'Allow',
            Principal: { AWS: '000000000000' },
            Action: 's3:GetObject',
            Resource: obj(),
          },
        ],
      },
    });
    expect(delegated.reason).toContain(
      "bucket policy statement 'Account' grants to the account 000000000000, which delegates to the account: the user also needs an identity policy allowing s3:GetObject",
    );
    expect(decide(request('s3:GetObject', { principal: root, key: 'a' }))).toEqual({
      allowed: true,
      reason: 'Allowed: the account root user is always allowed',
      decidedBy: { policy: 'root' },
    });
  });
});
