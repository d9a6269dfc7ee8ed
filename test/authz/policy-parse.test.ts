import { describe, expect, it } from 'vitest';
import { parseBucketPolicy, parseIdentityPolicy } from '../../stack/s3/authz/policy-parse.ts';
import { S3Error } from '../../stack/s3/errors.ts';
import { BUCKET } from './fixtures.ts';

const stmt = (extra: Record<string, unknown>) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        ...extra,
      },
    ],
  });

function without(field: string): string {
  const s: Record<string, unknown> = {
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${BUCKET}/*`,
  };
  delete s[field];
  return JSON.stringify({ Version: '2012-10-17', Statement: [s] });
}

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected the policy to be refused');
}

describe('bucket policy validation (PutBucketPolicy)', () => {
  it.each([
    ['not JSON', 'Version: 1', "Policies must be valid JSON and the first byte must be '{'"],
    ['broken JSON', '{"Version": ', 'This policy contains invalid Json'],
    ['no Statement', '{"Version":"2012-10-17"}', 'Missing required field Statement'],
    [
      'empty Statement',
      '{"Version":"2012-10-17","Statement":[]}',
      'Could not parse the policy: Statement is empty!',
    ],
    [
      'bad Version',
      '{"Version":"2020-01-01","Statement":[]}',
      'The policy must contain a valid version string',
    ],
    ['unknown top-level field', '{"Version":"2012-10-17","Statment":[]}', 'Unknown field Statment'],
    ['unknown statement field', stmt({ condition: {} }), 'Unknown field condition'],
    ['missing Principal', without('Principal'), 'Missing required field Principal'],
    ['missing Effect', without('Effect'), 'Missing required field Effect'],
    ['missing Action', without('Action'), 'Missing required field Action'],
    ['missing Resource', without('Resource'), 'Missing required field Resource'],
    ['bad Effect', stmt({ Effect: 'allow' }), 'Invalid effect: allow'],
    ['principal string not *', stmt({ Principal: 'everyone' }), 'Invalid principal in policy'],
    ['principal unknown type', stmt({ Principal: { Users: 'x' } }), 'Invalid principal in policy'],
    ['principal not an ARN', stmt({ Principal: { AWS: 'AKIAFOO' } }), 'Invalid principal in policy'],
    [
      'principal with wildcard ARN',
      stmt({ Principal: { AWS: 'arn:aws:iam::000000000000:user/*' } }),
      'Invalid principal in policy',
    ],
    ['non-s3 action', stmt({ Action: 'iam:PassRole' }), 'Policy has invalid action'],
    ['unknown s3 action', stmt({ Action: 's3:GetObjekt' }), 'Policy has invalid action'],
    ['resource *', stmt({ Resource: '*' }), 'Policy has invalid resource'],
    [
      'resource in another bucket',
      stmt({ Resource: 'arn:aws:s3:::other-bucket/*' }),
      'Policy has invalid resource',
    ],
    ['resource not an ARN', stmt({ Resource: 'focusmate-uploads/*' }), 'Policy has invalid resource'],
    [
      'object action on bucket ARN',
      stmt({ Resource: `arn:aws:s3:::${BUCKET}` }),
      'Action does not apply to any resource(s) in statement',
    ],
    [
      'bucket action on object ARN',
      stmt({ Action: 's3:ListBucket' }),
      'Action does not apply to any resource(s) in statement',
    ],
    [
      'unknown operator',
      stmt({ Condition: { StringEqualz: { 'aws:username': 'a' } } }),
      'Invalid Condition type : StringEqualz',
    ],
    [
      'NullIfExists',
      stmt({ Condition: { NullIfExists: { 'aws:username': 'true' } } }),
      'Invalid Condition type : NullIfExists',
    ],
    [
      'unknown s3 key',
      stmt({ Condition: { StringEquals: { 's3:x-acl': 'private' } } }),
      'Policy has an invalid condition key',
    ],
    [
      'bad source ip',
      stmt({ Condition: { IpAddress: { 'aws:SourceIp': '123' } } }),
      'Invalid IP address in Conditions',
    ],
    [
      'listing key on GetObject',
      stmt({ Condition: { StringLike: { 's3:prefix': 'teams/*' } } }),
      'Conditions do not apply to combination of actions and resources in statement',
    ],
  ])('%s → MalformedPolicy "%s"', (_name, json, message) => {
    expect(refusal(() => parseBucketPolicy(json, BUCKET))).toEqual({ code: 'MalformedPolicy', message });
  });

  it('refuses a policy over 20 KB (whitespace not counted)', () => {
    const big = stmt({ Sid: 'x'.repeat(21 * 1024) });
    expect(refusal(() => parseBucketPolicy(big, BUCKET)).message).toBe(
      'Policy exceeds the maximum allowed document size.',
    );
    const padded = stmt({}).replace(/,/g, `,${' '.repeat(30 * 1024)}`);
    expect(parseBucketPolicy(padded, BUCKET).statements).toHaveLength(1);
  });

  it('refuses a principal that does not exist when a lookup is given', () => {
    const json = stmt({ Principal: { AWS: 'arn:aws:iam::000000000000:user/ghost' } });
    expect(refusal(() => parseBucketPolicy(json, BUCKET, { principalExists: () => false })).message).toBe(
      'Invalid principal in policy',
    );
    expect(
      parseBucketPolicy(json, BUCKET, { principalExists: () => true }).statements[0]?.principal?.aws,
    ).toEqual(['arn:aws:iam::000000000000:user/ghost']);
  });

  it('normalizes the accepted forms', () => {
    const p = parseBucketPolicy(
      JSON.stringify({
        Statement: {
          Sid: 'One',
          Effect: 'Deny',
          NotPrincipal: {
            AWS: ['000000000000', 'arn:aws:iam::000000000000:user/a'],
            Service: 'cloudfront.amazonaws.com',
          },
          Action: ['S3:get*', '*'],
          NotResource: [`arn:aws:s3:::${BUCKET}/private/*`, 'arn:aws:s3:::focusmate-*'],
          Condition: { 'ForAnyValue:StringLikeIfExists': { 'S3:RequestObjectTag/team': ['t1', 2, true] } },
        },
      }),
      BUCKET,
    );
    expect(p.version).toBe('2008-10-17');
    const s = p.statements[0]!;
    expect(s).toMatchObject({
      sid: 'One',
      effect: 'Deny',
      notPrincipal: true,
      notResource: true,
      actions: ['s3:get*', 's3:*'],
    });
    expect(s.principal).toMatchObject({
      everyone: false,
      aws: ['arn:aws:iam::000000000000:root', 'arn:aws:iam::000000000000:user/a'],
      services: ['cloudfront.amazonaws.com'],
    });
    expect(s.conditions[0]).toMatchObject({
      base: 'StringLike',
      set: 'ForAnyValue',
      ifExists: true,
      values: ['t1', '2', 'true'],
    });
  });

  it('accepts unknown global aws: keys, tag keys and IPv6 ranges', () => {
    const json = stmt({
      Condition: {
        StringEquals: { 'aws:SomeFutureKey': 'x', 's3:ExistingObjectTag/team': 't1' },
        IpAddress: { 'aws:SourceIp': ['2001:db8::/32', '10.0.0.0/8'] },
      },
    });
    expect(parseBucketPolicy(json, BUCKET).statements[0]?.conditions).toHaveLength(3);
  });
});

describe('identity policy validation', () => {
  it('refuses a Principal', () => {
    const json = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
    });
    expect(refusal(() => parseIdentityPolicy(json)).message).toBe(
      'Policy document should not specify a principal.',
    );
  });

  it.each([
    [
      { Effect: 'Allow', Action: 'GetObject', Resource: '*' },
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    ],
    [{ Effect: 'Allow', Action: 's3:GetObject' }, 'Policy statement must contain resources.'],
    [{ Effect: 'Allow', Resource: '*' }, 'Policy statement must contain actions.'],
    [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'bucket/*' },
      'Resource bucket/* must be in ARN format or "*".',
    ],
  ])('refuses %j', (statement, message) => {
    expect(
      refusal(() => parseIdentityPolicy({ Version: '2012-10-17', Statement: [statement] })).message,
    ).toBe(message);
  });

  it('refuses duplicate Sids and accepts other services and "*"', () => {
    const dup = {
      Statement: [
        { Sid: 'A', Effect: 'Allow', Action: '*', Resource: '*' },
        { Sid: 'A', Effect: 'Deny', Action: '*', Resource: '*' },
      ],
    };
    expect(refusal(() => parseIdentityPolicy(dup)).message).toBe(
      'Statement IDs (SID) in a single policy must be unique.',
    );
    const ok = parseIdentityPolicy({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:*', '*'], Resource: '*' }],
    });
    expect(ok.statements[0]?.actions).toEqual(['iam:*', '*']);
  });
});
