// The POST policy document and its conditions, case by case, with S3's wording.
import { describe, expect, it } from 'vitest';
import { isS3Error } from '../../../stack/s3/errors.ts';
import { parsePolicy } from '../../../stack/s3/post-object/policy.ts';
import { checkConditions, checkCoverage } from '../../../stack/s3/post-object/policy-check.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const doc = (conditions: unknown[], expiration = '2030-01-01T00:00:00Z') =>
  b64(JSON.stringify({ expiration, conditions }));

function failure(fn: () => unknown): [string, string] | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!isS3Error(err)) throw err;
    return [err.code, err.message];
  }
}

describe('parsePolicy', () => {
  it.each([
    ['not base64', '%%%', 'Invalid Policy: invalid Base64 encoding.'],
    ['not JSON', b64('{"expiration": '), 'Invalid Policy: Invalid JSON.'],
    [
      'a float bound',
      b64('{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",0,512.0]]}'),
      'Invalid Policy: Invalid JSON.',
    ],
    ['a negative bound', doc([['content-length-range', -1, 0]]), 'Invalid Policy: Invalid JSON.'],
    ['an IAM policy', b64('{"Statement":[]}'), "Invalid Policy: Unexpected: 'statement'"],
    [
      'upper-case members',
      b64('{"EXPIRATION":"2030-01-01T00:00:00Z","conditions":[]}'),
      "Invalid Policy: Unexpected: 'expiration'",
    ],
    ['no expiration', b64('{"conditions":[]}'), 'Invalid Policy: Policy missing expiration.'],
    [
      'an offset expiration',
      doc([], '2011-09-13T07:52:58+02:00'),
      "Invalid Policy: Invalid 'expiration' value: '2011-09-13T07:52:58+02:00'",
    ],
    [
      'no conditions',
      b64('{"expiration":"2030-01-01T00:00:00Z"}'),
      'Invalid Policy: Policy missing conditions.',
    ],
    [
      'conditions not a list',
      b64('{"expiration":"2030-01-01T00:00:00Z","conditions":{}}'),
      "Invalid Policy: Invalid 'conditions' value: must be a List.",
    ],
    [
      'an empty simple condition',
      doc([{}]),
      'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
    ],
    [
      'a numeric simple condition',
      doc([{ 'Content-Length': 6199034 }]),
      'Invalid Policy: Invalid Simple-Condition: value must be a string.',
    ],
    ['a null simple condition', doc([{ success_action_redirect: null }]), 'Invalid Policy: Invalid JSON.'],
    ['an empty condition', doc([[]]), 'Invalid Policy: Invalid Condition: missing operation identifier.'],
    [
      'an unknown operation',
      doc([['ends-with', '$key', 'x']]),
      "Invalid Policy: Invalid Condition: unknown operation 'ends-with'.",
    ],
    [
      'a short range',
      doc([['content-length-range', 0]]),
      'Invalid Policy: Invalid content-length-range: wrong number of arguments.',
    ],
  ])('refuses %s', (_name, policy, message) => {
    expect(failure(() => parsePolicy(policy))).toEqual(['InvalidPolicyDocument', message]);
  });

  it('reads both expiration forms S3 accepts', () => {
    expect(parsePolicy(doc([], '2015-12-30T12:00:00.000Z')).expiration).toBe(Date.UTC(2015, 11, 30, 12));
    expect(parsePolicy(doc([], '2015-12-30T12:00:00Z')).expiration).toBe(Date.UTC(2015, 11, 30, 12));
  });
});

describe('conditions', () => {
  const values = new Map([
    ['key', 'user/1/a.png'],
    ['content-type', 'image/png'],
    ['x-amz-meta-test-2', 'v'],
  ]);
  const check = (conditions: unknown[]) =>
    failure(() => checkConditions(parsePolicy(doc(conditions)), values, 'b'));

  it('match field names in any case and values exactly', () => {
    expect(
      check([
        ['eq', '$KEY', 'user/1/a.png'],
        { 'CONTENT-TYPE': 'image/png' },
        ['StArTs-WiTh', '$X-Amz-Meta-Test-2', ''],
      ]),
    ).toBeUndefined();
    expect(check([['eq', '$key', 'USER/1/a.png']])).toEqual([
      'AccessDenied',
      'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "USER/1/a.png"]',
    ]);
  });

  it('print simple conditions as eq and keep the policy spelling and escapes', () => {
    expect(check([{ bucket: 'other' }])?.[1]).toBe(
      'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "other"]',
    );
    expect(check([['eq', '$Content-Disposition', 'filename="t.png"']])?.[1]).toBe(
      'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Disposition", "filename=\\"t.png\\""]',
    );
  });

  it('fail on a field the form lacks, and without a $', () => {
    expect(check([['starts-with', '$x-amz-meta-tag', '']])?.[0]).toBe('AccessDenied');
    expect(check([['eq', 'key', 'user/1/a.png']])?.[1]).toBe(
      'Invalid according to Policy: Policy Condition failed: ["eq", "key", "user/1/a.png"]',
    );
  });

  it('read content-length-range bounds as numbers or digit strings, inclusive', () => {
    const range = checkConditions(parsePolicy(doc([['content-length-range', '5', 10]])), values, 'b');
    expect(range).toEqual({ min: 5, max: 10 });
    expect(check([['content-length-range', 'test', '10']])?.[1]).toBe(
      'Invalid according to Policy: Policy Condition failed: ["content-length-range", "test", "10"]',
    );
  });

  it('require every field to be named, except the exempt ones, reporting names as sent', () => {
    const policy = parsePolicy(doc([{ key: 'k' }]));
    expect(
      failure(() =>
        checkCoverage(policy, [
          { name: 'key', value: 'k' },
          { name: 'Policy', value: 'p' },
          { name: 'X-Amz-Signature', value: 's' },
          { name: 'x-ignore-foo', value: 'f' },
          { name: 'StorageClass', value: 'x' },
        ]),
      ),
    ).toEqual(['AccessDenied', 'Invalid according to Policy: Extra input fields: StorageClass']);
  });
});
