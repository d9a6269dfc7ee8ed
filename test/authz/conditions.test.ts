// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are literal policy text
import { describe, expect, it } from 'vitest';
import { evaluateClause, parseOperator } from '../../stack/s3/authz/conditions.ts';
import type { ConditionClause } from '../../stack/s3/authz/policy-types.ts';
import { normalizeKey } from '../../stack/s3/authz/wildcard.ts';

type Ctx = Record<string, string | string[]>;

function holds(operator: string, key: string, values: string | string[], ctx: Ctx): boolean {
  const parsed = parseOperator(operator);
  if (!parsed) throw new Error(`unknown operator ${operator}`);
  const clause: ConditionClause = {
    operator,
    ...parsed,
    key,
    values: Array.isArray(values) ? values : [values],
  };
  const vars = new Map(Object.entries(ctx).map(([k, v]) => [normalizeKey(k), Array.isArray(v) ? v : [v]]));
  return evaluateClause(clause, vars, '2012-10-17');
}

const none: Ctx = {};

describe('condition operators', () => {
  it.each<[string, string, string | string[], Ctx, boolean]>([
    // String
    ['StringEquals', 's3:prefix', 'teams/', { 's3:prefix': 'teams/' }, true],
    ['StringEquals', 's3:prefix', 'teams/', { 's3:prefix': 'Teams/' }, false],
    ['StringEquals', 's3:prefix', ['a', 'teams/'], { 's3:prefix': 'teams/' }, true], // values OR'ed
    ['StringEquals', 'S3:Prefix', 'teams/', { 's3:prefix': 'teams/' }, true], // keys case-insensitive
    ['StringEquals', 's3:prefix', 'teams/', none, false],
    ['StringNotEquals', 's3:prefix', 'teams/', { 's3:prefix': 'chat/' }, true],
    ['StringNotEquals', 's3:prefix', ['chat/', 'teams/'], { 's3:prefix': 'chat/' }, false],
    ['StringNotEquals', 's3:prefix', 'teams/', none, true], // negated on a missing key
    ['StringEqualsIgnoreCase', 's3:prefix', 'TEAMS/', { 's3:prefix': 'teams/' }, true],
    ['StringNotEqualsIgnoreCase', 's3:prefix', 'TEAMS/', { 's3:prefix': 'teams/' }, false],
    ['StringLike', 's3:prefix', 'teams/*/profile/', { 's3:prefix': 'teams/t1/profile/' }, true],
    ['StringLike', 's3:prefix', 'teams/?1', { 's3:prefix': 'teams/t1' }, true],
    ['StringLike', 's3:prefix', 'teams/?1', { 's3:prefix': 'teams/t11' }, false],
    ['StringNotLike', 's3:prefix', 'verifications/*', { 's3:prefix': 'teams/' }, true],
    ['StringNotLike', 's3:prefix', 'verifications/*', none, true],
    [
      'StringEquals',
      's3:prefix',
      'home/${aws:username}/',
      { 's3:prefix': 'home/ann/', 'aws:username': 'ann' },
      true,
    ],
    [
      'StringEquals',
      's3:prefix',
      'home/${aws:username}/',
      { 's3:prefix': 'home/bob/', 'aws:username': 'ann' },
      false,
    ],
    ['StringLike', 's3:prefix', 'literal${*}', { 's3:prefix': 'literal*' }, true],
    ['StringLike', 's3:prefix', 'literal${*}', { 's3:prefix': 'literalX' }, false],
    // Numeric
    ['NumericLessThanEquals', 's3:max-keys', '10', { 's3:max-keys': '10' }, true],
    ['NumericLessThan', 's3:max-keys', '10', { 's3:max-keys': '10' }, false],
    ['NumericGreaterThan', 's3:max-keys', '10', { 's3:max-keys': '11' }, true],
    ['NumericGreaterThanEquals', 's3:max-keys', '10', { 's3:max-keys': '9' }, false],
    ['NumericEquals', 's3:max-keys', '10', { 's3:max-keys': '10.0' }, true],
    ['NumericNotEquals', 's3:max-keys', '10', { 's3:max-keys': '5' }, true],
    ['NumericEquals', 's3:max-keys', '10', { 's3:max-keys': 'ten' }, false],
    ['NumericLessThan', 's3:max-keys', '10', none, false],
    // Date (ISO 8601 and epoch seconds)
    [
      'DateLessThan',
      'aws:CurrentTime',
      '2030-01-01T00:00:00Z',
      { 'aws:currenttime': '2026-11-24T00:00:00Z' },
      true,
    ],
    [
      'DateGreaterThan',
      'aws:CurrentTime',
      '2030-01-01T00:00:00Z',
      { 'aws:currenttime': '2026-11-24T00:00:00Z' },
      false,
    ],
    ['DateEquals', 'aws:CurrentTime', '1767225600', { 'aws:currenttime': '2026-01-01T00:00:00Z' }, true],
    ['DateNotEquals', 'aws:CurrentTime', '2026-01-01', { 'aws:currenttime': '2026-01-01T00:00:00Z' }, false],
    ['DateLessThanEquals', 'aws:EpochTime', '2026-01-01T00:00:00Z', { 'aws:epochtime': '1767225600' }, true],
    [
      'DateGreaterThanEquals',
      'aws:CurrentTime',
      '2026-01-02',
      { 'aws:currenttime': '2026-01-01T23:59:59Z' },
      false,
    ],
    // Bool
    ['Bool', 'aws:SecureTransport', 'false', { 'aws:SecureTransport': 'false' }, true],
    ['Bool', 'aws:SecureTransport', 'false', { 'aws:SecureTransport': 'true' }, false],
    ['Bool', 'aws:SecureTransport', 'True', { 'aws:SecureTransport': 'true' }, true],
    ['Bool', 'aws:SecureTransport', 'false', none, false],
    ['BoolIfExists', 'aws:SecureTransport', 'false', none, true],
    // IP v4 / v6
    ['IpAddress', 'aws:SourceIp', '127.0.0.0/8', { 'aws:SourceIp': '127.0.0.1' }, true],
    ['IpAddress', 'aws:SourceIp', '127.0.0.0/8', { 'aws:SourceIp': '::ffff:127.0.0.1' }, true],
    ['IpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '127.0.0.1' }, false],
    ['IpAddress', 'aws:SourceIp', '192.168.1.7', { 'aws:SourceIp': '192.168.1.7' }, true],
    ['IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db8:1::5' }, true],
    ['IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db9::5' }, false],
    ['IpAddress', 'aws:SourceIp', '::1/128', { 'aws:SourceIp': '::1' }, true],
    ['IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '127.0.0.1' }, false],
    ['NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '127.0.0.1' }, true],
    ['NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '127.0.0.0/8'], { 'aws:SourceIp': '127.0.0.1' }, false],
    ['NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', none, true],
    // ARN
    [
      'ArnEquals',
      'aws:PrincipalArn',
      'arn:aws:iam::000000000000:user/ann',
      { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/ann' },
      true,
    ],
    [
      'ArnLike',
      'aws:PrincipalArn',
      'arn:aws:iam::*:user/*',
      { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/ann' },
      true,
    ],
    [
      'ArnLike',
      'aws:PrincipalArn',
      'arn:aws:iam::*:role/*',
      { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/ann' },
      false,
    ],
    ['ArnLike', 'aws:SourceArn', 'arn:aws:*', { 'aws:SourceArn': 'arn:aws:s3:::b' }, false], // components matched separately
    [
      'ArnNotLike',
      'aws:PrincipalArn',
      'arn:aws:iam::*:role/*',
      { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/ann' },
      true,
    ],
    ['ArnNotEquals', 'aws:PrincipalArn', 'arn:aws:iam::000000000000:user/ann', none, true],
    // Tag keys: the key family is case-insensitive, the tag name is not
    ['StringEquals', 'S3:ExistingObjectTag/team', 't1', { 's3:existingobjecttag/team': 't1' }, true],
    ['StringEquals', 's3:ExistingObjectTag/Team', 't1', { 's3:ExistingObjectTag/team': 't1' }, false],
    // Null
    ['Null', 's3:x-amz-server-side-encryption', 'true', none, true],
    [
      'Null',
      's3:x-amz-server-side-encryption',
      'true',
      { 's3:x-amz-server-side-encryption': 'AES256' },
      false,
    ],
    [
      'Null',
      's3:x-amz-server-side-encryption',
      'false',
      { 's3:x-amz-server-side-encryption': 'AES256' },
      true,
    ],
    ['Null', 's3:x-amz-server-side-encryption', 'false', none, false],
    // IfExists
    ['StringEqualsIfExists', 's3:x-amz-server-side-encryption', 'AES256', none, true],
    [
      'StringEqualsIfExists',
      's3:x-amz-server-side-encryption',
      'AES256',
      { 's3:x-amz-server-side-encryption': 'aws:kms' },
      false,
    ],
    [
      'StringNotEqualsIfExists',
      's3:x-amz-server-side-encryption',
      'AES256',
      { 's3:x-amz-server-side-encryption': 'aws:kms' },
      true,
    ],
    ['NumericLessThanIfExists', 's3:max-keys', '100', none, true],
    ['IpAddressIfExists', 'aws:SourceIp', '10.0.0.0/8', none, true],
    // Set operators
    [
      'ForAnyValue:StringEquals',
      's3:RequestObjectTagKeys',
      ['team', 'owner'],
      { 's3:RequestObjectTagKeys': ['x', 'team'] },
      true,
    ],
    [
      'ForAnyValue:StringEquals',
      's3:RequestObjectTagKeys',
      ['team'],
      { 's3:RequestObjectTagKeys': ['x', 'y'] },
      false,
    ],
    ['ForAnyValue:StringEquals', 's3:RequestObjectTagKeys', ['team'], none, false],
    [
      'ForAnyValue:StringEquals',
      's3:RequestObjectTagKeys',
      ['team'],
      { 's3:RequestObjectTagKeys': [] },
      false,
    ],
    [
      'ForAllValues:StringEquals',
      's3:RequestObjectTagKeys',
      ['team', 'owner'],
      { 's3:RequestObjectTagKeys': ['team', 'owner'] },
      true,
    ],
    [
      'ForAllValues:StringEquals',
      's3:RequestObjectTagKeys',
      ['team'],
      { 's3:RequestObjectTagKeys': ['team', 'x'] },
      false,
    ],
    ['ForAllValues:StringEquals', 's3:RequestObjectTagKeys', ['team'], none, true],
    [
      'ForAllValues:StringEquals',
      's3:RequestObjectTagKeys',
      ['team'],
      { 's3:RequestObjectTagKeys': [] },
      true,
    ],
    [
      'ForAllValues:StringLike',
      's3:RequestObjectTagKeys',
      ['t*'],
      { 's3:RequestObjectTagKeys': ['team', 'tier'] },
      true,
    ],
    [
      'ForAnyValue:StringNotEquals',
      's3:RequestObjectTagKeys',
      ['team'],
      { 's3:RequestObjectTagKeys': ['team', 'x'] },
      true,
    ],
    [
      'ForAllValues:StringNotEquals',
      's3:RequestObjectTagKeys',
      ['secret'],
      { 's3:RequestObjectTagKeys': ['team', 'secret'] },
      false,
    ],
    ['ForAnyValue:StringEqualsIfExists', 's3:RequestObjectTagKeys', ['team'], none, true],
  ])('%s %s %j with %j → %s', (operator, key, values, ctx, expected) => {
    expect(holds(operator, key, values, ctx)).toBe(expected);
  });

  it('parses operator names exactly (case-sensitive) and refuses nonsense', () => {
    expect(parseOperator('ForAllValues:StringLikeIfExists')).toEqual({
      base: 'StringLike',
      set: 'ForAllValues',
      ifExists: true,
    });
    expect(parseOperator('stringequals')).toBeUndefined();
    expect(parseOperator('StringEqualz')).toBeUndefined();
    expect(parseOperator('ForAnyValue:Null')).toBeUndefined();
  });

  it('a variable with no value makes the value not match, unless it has a default', () => {
    expect(holds('StringEquals', 's3:prefix', 'home/${aws:username}/', { 's3:prefix': 'home//' })).toBe(
      false,
    );
    expect(
      holds('StringEquals', 's3:prefix', "home/${aws:username, 'guest'}/", { 's3:prefix': 'home/guest/' }),
    ).toBe(true);
  });
});
