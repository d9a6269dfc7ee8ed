// The compact fault syntax of `dev:stack --fault` (and the console), the --faults file, and
// --smtp-profile, parsed and validated before any server starts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStackFlags, USAGE } from '../../stack/cli/flags.ts';
import { StackConfigError } from '../../stack/config/errors.ts';
import { resolveStackConfig } from '../../stack/config/stack-config.ts';
import { parseCompactRule } from '../../stack/faults/compact.ts';
import { FaultError } from '../../stack/faults/errors.ts';
import { parseFaultFile } from '../../stack/faults/load-file.ts';

describe('compact rules', () => {
  it.each([
    [
      's3:PutObject=503:SlowDown:first=2',
      {
        target: 's3',
        match: { operation: 'PutObject' },
        action: { type: 'error', code: 'SlowDown', status: 503 },
        first: 2,
      },
    ],
    [
      's3:GetObject,HeadObject=500:every=2',
      {
        target: 's3',
        match: { operation: ['GetObject', 'HeadObject'] },
        action: { type: 'error', code: 'InternalError', status: 500 },
        every: 2,
      },
    ],
    [
      's3:*=delay:1500:principal=anonymous',
      { target: 's3', match: { principal: 'anonymous' }, action: { type: 'delay', ms: 1500 } },
    ],
    [
      's3:GetObject=hang:key=uploads/*:bucket=focusmate-*',
      {
        target: 's3',
        match: { operation: 'GetObject', key: 'uploads/*', bucket: 'focusmate-*' },
        action: { type: 'no-response' },
      },
    ],
    ['s3:*=drop:p=0.1:seed=7', { target: 's3', action: { type: 'drop' }, probability: 0.1, seed: 7 }],
    [
      's3:*=InternalError:max=3:id=flaky',
      { target: 's3', action: { type: 'error', code: 'InternalError' }, maxCount: 3, id: 'flaky' },
    ],
    [
      'smtp:DATA=421:4.7.0:Try again later: closing:first=1',
      {
        target: 'smtp',
        match: { stage: 'DATA' },
        action: { type: 'error', code: 421, enhancedCode: '4.7.0', message: 'Try again later: closing' },
        first: 1,
      },
    ],
    [
      'smtp:RCPT=550:5.1.1:to=ghost@*',
      {
        target: 'smtp',
        match: { stage: 'RCPT', recipient: 'ghost@*' },
        action: { type: 'error', code: 550, enhancedCode: '5.1.1' },
      },
    ],
    [
      'smtp:AUTH=535:ttl=30s',
      { target: 'smtp', match: { stage: 'AUTH' }, action: { type: 'error', code: 535 }, ttlMs: 30_000 },
    ],
    [
      'smtp:connect=554:-:go away',
      {
        target: 'smtp',
        match: { stage: 'connect' },
        action: { type: 'error', code: 554, enhancedCode: null, message: 'go away' },
      },
    ],
    ['smtp:connect=hang', { target: 'smtp', match: { stage: 'connect' }, action: { type: 'no-response' } }],
    [
      'smtp:STARTTLS=tls',
      { target: 'smtp', match: { stage: 'STARTTLS' }, action: { type: 'tls-failure', mode: 'alert' } },
    ],
    [
      'smtp:connect=tls:untrusted-cert:listener=implicit-tls',
      {
        target: 'smtp',
        match: { stage: 'connect', listener: 'implicit-tls' },
        action: { type: 'tls-failure', mode: 'untrusted-cert' },
      },
    ],
    [
      'smtp:MAIL=delay:200:from=*@focusmate.com:scope=dev@*',
      {
        target: 'smtp',
        match: { stage: 'MAIL', sender: '*@focusmate.com', scope: 'dev@*' },
        action: { type: 'delay', ms: 200 },
      },
    ],
  ])('%s', (text, rule) => {
    expect(parseCompactRule(text)).toEqual(rule);
  });

  it.each([
    ['PutObject=503', /TARGET:MATCH=ACTION/],
    ['ftp:PutObject=503', /target must be s3 or smtp/],
    ['s3:PutObject=418', /needs an S3 error code/],
    ['s3:PutObject=explode:now', /not an S3 action/],
    ['s3:*=delay:soon', /not a number/],
    ['smtp:DATA=maybe', /not an SMTP action/],
    ['s3:*=drop:ttl=tomorrow', /not a duration/],
  ])('%s is refused', (text, message) => {
    expect(() => parseCompactRule(text)).toThrow(FaultError);
    expect(() => parseCompactRule(text)).toThrow(message);
  });
});

describe('dev:stack flags', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fault-flags-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('--fault (repeatable), --faults FILE and --smtp-profile resolve into the stack config', async () => {
    await writeFile(
      join(dir, 'faults.json'),
      JSON.stringify([
        { target: 'smtp', match: { stage: 'connect' }, action: { type: 'no-response' }, ttlMs: 60_000 },
        's3:GetObject=500:every=3',
      ]),
    );
    const flags = parseStackFlags([
      '--fault',
      's3:PutObject=503:SlowDown:first=2',
      '--fault',
      'smtp:DATA=421:4.7.0:Try again later:first=1',
      '--faults',
      'faults.json',
      '--smtp-profile',
      'gmail',
    ]);
    const config = resolveStackConfig(flags, {}, dir);
    expect(config.smtpProfile).toBe('gmail');
    expect(config.faults).toEqual([
      { target: 'smtp', match: { stage: 'connect' }, action: { type: 'no-response' }, ttlMs: 60_000 },
      {
        target: 's3',
        match: { operation: 'GetObject' },
        action: { type: 'error', code: 'InternalError', status: 500 },
        every: 3,
      },
      {
        target: 's3',
        match: { operation: 'PutObject' },
        action: { type: 'error', code: 'SlowDown', status: 503 },
        first: 2,
      },
      {
        target: 'smtp',
        match: { stage: 'DATA' },
        action: { type: 'error', code: 421, enhancedCode: '4.7.0', message: 'Try again later' },
        first: 1,
      },
    ]);
  });

  it('the env twins: STACK_SMTP_PROFILE and STACK_FAULTS_FILE', async () => {
    await writeFile(join(dir, 'env-faults.json'), JSON.stringify({ rules: ['smtp:connect=hang'] }));
    const config = resolveStackConfig(
      {},
      { STACK_SMTP_PROFILE: 'ses', STACK_FAULTS_FILE: 'env-faults.json' },
      dir,
    );
    expect(config.smtpProfile).toBe('ses');
    expect(config.faults).toEqual([
      { target: 'smtp', match: { stage: 'connect' }, action: { type: 'no-response' } },
    ]);
    expect(resolveStackConfig({}, {}, dir)).toMatchObject({ smtpProfile: 'none', faults: [] });
  });

  it('a rule the servers would refuse is a flag error before anything starts', () => {
    const refuse = (argv: string[], message: RegExp) => {
      const err = (() => {
        try {
          resolveStackConfig(parseStackFlags(argv), {}, dir);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(StackConfigError);
      expect((err as StackConfigError).code).toBe('FLAG_INVALID');
      expect((err as Error).message).toMatch(message);
    };
    refuse(['--fault', 's3:PutObjects=503'], /PutObjects.*is not an operation/);
    refuse(['--fault', 'smtp:MAIL=tls'], /tls-failure acts on a handshake/);
    refuse(['--fault', 's3:*=drop:first=1:every=2'], /one of first, every, probability/);
    refuse(['--faults', 'missing.json'], /cannot read the faults file/);
    refuse(['--smtp-profile', 'hotmail'], /--smtp-profile=hotmail is not valid/);
  });

  it('a faults file must hold rules', () => {
    expect(() => parseFaultFile('{"rule": 1}', 'f.json')).toThrow(/expected an array of rules/);
    expect(() => parseFaultFile('[1]', 'f.json')).toThrow(/rule 0/);
    expect(() => parseFaultFile('nope', 'f.json')).toThrow(/not JSON/);
  });

  it('USAGE documents the syntax', () => {
    for (const text of [
      '--fault RULE',
      '--faults FILE',
      '--smtp-profile NAME',
      's3:PutObject=503:SlowDown:first=2',
      '/api/stack/faults',
    ])
      expect(USAGE).toContain(text);
  });
});
