// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are literal policy text
import { describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../stack/s3/authz/authorizer.ts';
import { parseBucketPolicy } from '../../stack/s3/authz/policy-parse.ts';
import {
  assertAclAllowed,
  defaultPublicAccessBlock,
  parsePublicAccessBlockXml,
  publicAccessBlockToXml,
} from '../../stack/s3/authz/public-access-block.ts';
import { getPolicyStatus, isPublicPolicy, policyStatusToXml } from '../../stack/s3/authz/public-policy.ts';
import { validatePolicyForPut } from '../../stack/s3/authz/put-bucket-policy.ts';
import { S3Error } from '../../stack/s3/errors.ts';
import { appUser, BUCKET, request } from './fixtures.ts';

const OBJ = `arn:aws:s3:::${BUCKET}/*`;
const policy = (statement: Record<string, unknown>) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJ, ...statement }],
  });

describe('isPublicPolicy (the meaning of "public")', () => {
  it.each<[string, string, boolean]>([
    ['Principal "*" without condition', policy({}), true],
    ['{"AWS":"*"}', policy({ Principal: { AWS: '*' } }), true],
    ['a fixed user principal', policy({ Principal: { AWS: appUser.arn } }), false],
    ['an account principal', policy({ Principal: { AWS: '123456789012' } }), false],
    ['a service principal', policy({ Principal: { Service: 'cloudfront.amazonaws.com' } }), false],
    ['Deny to everyone', policy({ Effect: 'Deny' }), false],
    ['NotPrincipal on an Allow', policy({ Principal: undefined, NotPrincipal: { AWS: appUser.arn } }), true],
    [
      'restricted to a /24 source range',
      policy({ Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }),
      false,
    ],
    [
      'restricted to an IPv6 /48',
      policy({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8:1::/48' } } }),
      false,
    ],
    [
      'a too-wide IPv4 range (/4)',
      policy({ Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/4' } } }),
      true,
    ],
    [
      'a too-wide IPv6 range (/16)',
      policy({ Condition: { IpAddress: { 'aws:SourceIp': '2001::/16' } } }),
      true,
    ],
    [
      'NotIpAddress does not restrict',
      policy({ Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
      true,
    ],
    [
      'IpAddressIfExists does not restrict',
      policy({ Condition: { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } } }),
      true,
    ],
    [
      'fixed aws:SourceVpce',
      policy({ Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }),
      false,
    ],
    [
      'fixed aws:SourceArn',
      policy({
        Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:cloudfront::123456789012:distribution/E1' } },
      }),
      false,
    ],
    [
      'fixed aws:SourceAccount',
      policy({ Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }),
      false,
    ],
    [
      'fixed aws:PrincipalOrgID',
      policy({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }),
      false,
    ],
    ['wildcard aws:SourceVpce', policy({ Condition: { StringLike: { 'aws:SourceVpce': 'vpce-*' } } }), true],
    [
      'a non-pinning key (aws:Referer)',
      policy({ Condition: { StringEquals: { 'aws:Referer': 'https://focusmate.com' } } }),
      true,
    ],
    [
      'a variable is not a fixed value',
      policy({ Condition: { StringEquals: { 'aws:SourceAccount': '${aws:PrincipalAccount}' } } }),
      true,
    ],
    [
      'aws:SecureTransport is not a restriction',
      policy({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
      true,
    ],
  ])('%s → %s', (_name, json, expected) => {
    const parsed = parseBucketPolicy(json, BUCKET);
    expect(isPublicPolicy(parsed)).toBe(expected);
    expect(getPolicyStatus(parsed)).toEqual({ IsPublic: expected });
  });

  it('no policy is not public, and the status renders as S3 does', () => {
    expect(getPolicyStatus(undefined)).toEqual({ IsPublic: false });
    expect(policyStatusToXml({ IsPublic: true })).toContain(
      '<PolicyStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsPublic>true</IsPublic></PolicyStatus>',
    );
  });
});

describe('validatePolicyForPut under BlockPublicPolicy', () => {
  it('refuses a public policy with 403 AccessDenied and AWS’s message', () => {
    let error: unknown;
    try {
      validatePolicyForPut(policy({}), BUCKET, defaultPublicAccessBlock(), { callerArn: appUser.arn });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(S3Error);
    expect((error as S3Error).code).toBe('AccessDenied');
    expect((error as S3Error).status).toBe(403);
    expect((error as S3Error).message).toBe(
      `User: ${appUser.arn} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${BUCKET}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    );
  });

  it('accepts a non-public policy while blocked, and a public one once BlockPublicPolicy is off', () => {
    const restricted = policy({ Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } });
    expect(validatePolicyForPut(restricted, BUCKET, defaultPublicAccessBlock()).statements).toHaveLength(1);
    const off = { ...defaultPublicAccessBlock(), BlockPublicPolicy: false };
    expect(validatePolicyForPut(policy({}), BUCKET, off).kind).toBe('bucket');
    expect(validatePolicyForPut(policy({}), BUCKET, undefined).kind).toBe('bucket');
  });

  it('reports MalformedPolicy before the public check', () => {
    expect(() => validatePolicyForPut(policy({ Resource: '*' }), BUCKET, defaultPublicAccessBlock())).toThrow(
      'Policy has invalid resource',
    );
  });
});

describe('RestrictPublicBuckets at request time', () => {
  const publicPolicy = parseBucketPolicy(policy({ Sid: 'PublicRead' }), BUCKET);
  const authorizer = (restrict: boolean, bucketPolicy = publicPolicy) =>
    createAuthorizer({
      identityPolicies: () => [],
      bucketPolicy: () => bucketPolicy,
      publicAccessBlock: () => ({
        ...defaultPublicAccessBlock(),
        BlockPublicPolicy: false,
        RestrictPublicBuckets: restrict,
      }),
    });

  it('blocks anonymous use of a public grant, and says so', () => {
    const d = authorizer(true)(request('s3:GetObject', { key: 'a.png', principal: null }));
    expect(d).toEqual({
      allowed: false,
      reason:
        "Denied: Block Public Access (RestrictPublicBuckets) ignores the public grant of statement 'PublicRead'",
      decidedBy: {
        policy: 'block-public-access',
        name: 'RestrictPublicBuckets',
        sid: 'PublicRead',
        index: 0,
      },
    });
    expect(authorizer(false)(request('s3:GetObject', { key: 'a.png', principal: null })).allowed).toBe(true);
  });

  it('still lets the account’s own users use the grant', () => {
    expect(authorizer(true)(request('s3:GetObject', { key: 'a.png' })).allowed).toBe(true);
  });

  it('does not touch a non-public policy (source-IP restricted anonymous read)', () => {
    const restricted = parseBucketPolicy(
      policy({ Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }),
      BUCKET,
    );
    const d = authorizer(
      true,
      restricted,
    )(request('s3:GetObject', { key: 'a', principal: null, context: { 'aws:SourceIp': '127.0.0.1' } }));
    expect(d.allowed).toBe(true);
  });
});

describe('Block Public Access configuration', () => {
  it('defaults every flag on for new buckets', () => {
    expect(defaultPublicAccessBlock()).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it('parses the PutPublicAccessBlock body (absent = false) and renders it back', () => {
    const flags = parsePublicAccessBlockXml(
      '<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><RestrictPublicBuckets>TRUE</RestrictPublicBuckets></PublicAccessBlockConfiguration>',
    );
    expect(flags).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: true,
    });
    expect(parsePublicAccessBlockXml(publicAccessBlockToXml(flags))).toEqual(flags);
  });

  it.each([
    '<Other/>',
    '<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>',
    '<PublicAccessBlockConfiguration><Nope>true</Nope></PublicAccessBlockConfiguration>',
    '<PublicAccessBlockConfiguration>',
    '<!DOCTYPE x [<!ENTITY t "true">]><PublicAccessBlockConfiguration><BlockPublicAcls>&t;</BlockPublicAcls></PublicAccessBlockConfiguration>',
    '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicPolicy></PublicAccessBlockConfiguration>',
  ])('refuses %s with MalformedXML', (xml) => {
    expect(() => parsePublicAccessBlockXml(xml)).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
  });

  it('BlockPublicAcls refuses public canned ACLs and grants', () => {
    const flags = defaultPublicAccessBlock();
    expect(() => assertAclAllowed(flags, { cannedAcl: 'public-read' })).toThrow(
      expect.objectContaining({ code: 'AccessDenied' }),
    );
    expect(() =>
      assertAclAllowed(flags, { grants: ['uri="http://acs.amazonaws.com/groups/global/AllUsers"'] }),
    ).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(() => assertAclAllowed(flags, { cannedAcl: 'private' })).not.toThrow();
    expect(() => assertAclAllowed(undefined, { cannedAcl: 'public-read' })).not.toThrow();
  });
});
