import { describe, expect, it } from 'vitest';
import { createAuthorizer, requestContext } from '../../stack/s3/authz/authorizer.ts';
import type { DecisionRecord } from '../../stack/s3/authz/decision-log.ts';
import { DecisionLog } from '../../stack/s3/authz/decision-log.ts';
import { parseIdentityPolicy } from '../../stack/s3/authz/policy-parse.ts';
import { appUser, request, root } from './fixtures.ts';

const fixedNow = () => new Date('2026-11-24T12:00:00.000Z');

describe('createAuthorizer: decision log', () => {
  it('records each decision with who, what and why, and notifies', () => {
    const seen: DecisionRecord[] = [];
    const policy = parseIdentityPolicy({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    });
    const authorize = createAuthorizer({
      identityPolicies: () => [{ name: 'app', policy }],
      bucketPolicy: () => undefined,
      publicAccessBlock: () => undefined,
      onDecision: (r) => seen.push(r),
      now: fixedNow,
    });
    authorize({ ...request('s3:GetObject', { key: 'a' }), requestId: 'r1' });
    authorize({ ...request('s3:PutObject', { key: 'a', principal: null }), requestId: 'r2' });
    expect(authorize.decisions()).toEqual([
      {
        requestId: 'r1',
        time: '2026-11-24T12:00:00.000Z',
        principal: appUser.arn,
        operation: 'GetObject',
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::focusmate-uploads/a',
        bucket: 'focusmate-uploads',
        key: 'a',
        allowed: true,
        reason: "Allowed by identity policy 'app' statement #1",
        decidedBy: { policy: 'identity', name: 'app', sid: undefined, index: 0 },
      },
      expect.objectContaining({
        requestId: 'r2',
        principal: 'anonymous',
        allowed: false,
        decidedBy: { policy: 'default' },
      }),
    ]);
    expect(seen.map((r) => r.requestId)).toEqual(['r1', 'r2']);
    expect(authorize.decisions({ allowed: false }).map((r) => r.requestId)).toEqual(['r2']);
    expect(authorize.decisions({ requestId: 'r1' })).toHaveLength(1);
    authorize.clearDecisions();
    expect(authorize.decisions()).toEqual([]);
  });

  it('keeps only the newest entries (bounded ring buffer)', () => {
    const authorize = createAuthorizer({
      identityPolicies: () => [],
      bucketPolicy: () => undefined,
      publicAccessBlock: () => undefined,
      logSize: 3,
    });
    for (let i = 1; i <= 5; i++)
      authorize({ ...request('s3:GetObject', { key: 'a', principal: root }), requestId: `r${i}` });
    expect(authorize.decisions().map((r) => r.requestId)).toEqual(['r3', 'r4', 'r5']);
    expect(authorize.decisions({ limit: 2 }).map((r) => r.requestId)).toEqual(['r4', 'r5']);
    expect(() => new DecisionLog(0)).toThrow(RangeError);
  });

  it('honours aws:CurrentTime from the clock (DateLessThan expiry)', () => {
    const policy = parseIdentityPolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:CurrentTime': '2026-12-01T00:00:00Z' } },
        },
      ],
    });
    const at = (iso: string) =>
      createAuthorizer({
        identityPolicies: () => [{ name: 'temp', policy }],
        bucketPolicy: () => undefined,
        publicAccessBlock: () => undefined,
        now: () => new Date(iso),
      })(request('s3:GetObject', { key: 'a' })).allowed;
    expect(at('2026-11-24T00:00:00Z')).toBe(true);
    expect(at('2026-12-24T00:00:00Z')).toBe(false);
  });
});

describe('requestContext', () => {
  it('lower-cases keys and derives identity keys from the principal', () => {
    const ctx = requestContext(
      request('s3:ListBucket', { context: { 'S3:Prefix': 'teams/', 'aws:PrincipalArn': 'forged' } }),
      fixedNow(),
      '000000000000',
    );
    expect(ctx.get('s3:prefix')).toEqual(['teams/']);
    expect(ctx.get('aws:principalarn')).toEqual([appUser.arn]);
    expect(ctx.get('aws:username')).toEqual(['focusmate-s3-user']);
    expect(ctx.get('aws:principaltype')).toEqual(['User']);
    expect(ctx.get('aws:currenttime')).toEqual(['2026-11-24T12:00:00Z']);
    expect(ctx.get('aws:epochtime')).toEqual([String(Date.parse('2026-11-24T12:00:00Z') / 1000)]);
    const anon = requestContext(
      request('s3:GetObject', { key: 'a', principal: null }),
      fixedNow(),
      '000000000000',
    );
    expect(anon.get('aws:principaltype')).toEqual(['Anonymous']);
    expect(anon.has('aws:username')).toBe(false);
  });
});

describe('createBucketPolicyCache', () => {
  it('parses once per text and follows changes and deletion', async () => {
    const { createBucketPolicyCache } = await import('../../stack/s3/authz/policy-cache.ts');
    const lookup = createBucketPolicyCache();
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
    });
    const first = lookup('b', text);
    expect(lookup('b', text)).toBe(first);
    const changed = lookup('b', text.replace('GetObject', 'PutObject'));
    expect(changed).not.toBe(first);
    expect(changed?.statements[0]?.actions).toEqual(['s3:putobject']);
    expect(lookup('b', undefined)).toBeUndefined();
  });
});
