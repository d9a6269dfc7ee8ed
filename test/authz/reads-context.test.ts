// The dispatcher leaves a request's condition keys unbuilt where readsContext says the policy
// engine never reads them: for those principals the decision and its record must not depend on
// the context at all.
import { describe, expect, it } from 'vitest';
import { createAuthorizer, readsContext } from '../../stack/s3/authz/authorizer.ts';
import { parseBucketPolicy, parseIdentityPolicy } from '../../stack/s3/authz/policy-parse.ts';
import { appUser, BUCKET, request, root } from './fixtures.ts';

const fixedNow = () => new Date('2026-11-24T12:00:00.000Z');

// Every statement here turns on a condition key, so a context that is read changes the answer.
const bucketPolicy = parseBucketPolicy(
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
        Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
    ],
  }),
  BUCKET,
);
const identityPolicy = parseIdentityPolicy({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } },
    },
  ],
});

function authorizer() {
  return createAuthorizer({
    identityPolicies: () => [{ name: 'app', policy: identityPolicy }],
    bucketPolicy: () => bucketPolicy,
    publicAccessBlock: () => undefined,
    now: fixedNow,
  });
}

const contexts = {
  empty: {},
  local: { 'aws:SourceIp': '127.0.0.1' },
  denied: { 'aws:SourceIp': '10.1.2.3' },
};

describe('readsContext', () => {
  it('is false only for the root user', () => {
    expect(readsContext(root)).toBe(false);
    expect(readsContext(appUser)).toBe(true);
    expect(readsContext(null)).toBe(true);
  });

  it('root: the same decision and record whatever the context (it is never read)', () => {
    const outcomes = Object.values(contexts).map((context) => {
      const authorize = authorizer();
      const decision = authorize(request('s3:GetObject', { key: 'k', principal: root, context }));
      return { decision, records: authorize.decisions() };
    });
    expect(outcomes[0]!.decision.allowed).toBe(true);
    for (const o of outcomes) expect(o).toEqual(outcomes[0]);
  });

  it('a user: the context decides (so it must be built)', () => {
    const allowed = Object.entries(contexts).map(
      ([name, context]) =>
        [
          name,
          authorizer()(request('s3:GetObject', { key: 'k', principal: appUser, context })).allowed,
        ] as const,
    );
    expect(allowed).toEqual([
      ['empty', false],
      ['local', true],
      ['denied', false],
    ]);
  });
});
