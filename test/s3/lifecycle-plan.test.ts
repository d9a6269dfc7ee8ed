// The lifecycle planner against explicit clocks: due times rounded up to the next midnight UTC,
// filters, noncurrent versions, expired delete markers, stale uploads, disabled and date rules,
// and the x-amz-expiration / x-amz-abort-* values.
import { describe, expect, it } from 'vitest';
import {
  abortHeaders,
  abortInfo,
  expirationHeader,
  type LifecycleRule,
  parseLifecycleConfiguration,
  planLifecycle,
  type UploadView,
  type VersionView,
} from '../../stack/s3/lifecycle/index.ts';

const t = (iso: string) => Date.parse(iso);

function rules(...inner: string[]): LifecycleRule[] {
  return parseLifecycleConfiguration(
    `<LifecycleConfiguration>${inner.map((r) => `<Rule>${r}</Rule>`).join('')}</LifecycleConfiguration>`,
  );
}

function live(key: string, lastModified: string, extra: Partial<VersionView> = {}): VersionView {
  return {
    key,
    versionId: 'null',
    isLatest: true,
    deleteMarker: false,
    size: 100,
    lastModified: t(lastModified),
    tags: [],
    ...extra,
  };
}

/** A key's versions, newest first, from [versionId, lastModified, deleteMarker?] tuples. */
function history(key: string, ...entries: [string, string, boolean?][]): VersionView[] {
  return entries.map(([versionId, at, marker], i) => ({
    key,
    versionId,
    isLatest: i === 0,
    deleteMarker: marker === true,
    size: marker ? 0 : 10,
    lastModified: t(at),
    tags: [],
    noncurrentSince: i === 0 ? undefined : t(entries[i - 1]![1]),
  }));
}

const plan = (rs: LifecycleRule[], keys: VersionView[][], now: string, uploads: UploadView[] = []) =>
  planLifecycle(rs, keys, uploads, t(now));

describe('Expiration by days', () => {
  const oneDay = rules(
    '<ID>one-day</ID><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration>',
  );
  const obj = live('a.txt', '2026-01-01T10:00:00Z');

  it('rounds creation + N days up to the next midnight UTC', () => {
    expect(plan(oneDay, [[obj]], '2026-01-02T10:00:00Z')).toEqual([]);
    expect(plan(oneDay, [[obj]], '2026-01-02T23:59:59Z')).toEqual([]);
    expect(plan(oneDay, [[obj]], '2026-01-02T23:59:59.999Z')).toEqual([]);
    expect(plan(oneDay, [[obj]], '2026-01-03T00:00:00Z')).toEqual([
      { type: 'expire-current', key: 'a.txt', ruleId: 'one-day' },
    ]);
    expect(plan(oneDay, [[obj]], '2026-02-01T00:00:00Z')).toHaveLength(1);
  });

  it("follows S3's worked example: created 1/15/2014 10:30 UTC, 3 days, due 1/19/2014 00:00 UTC", () => {
    const three = rules('<ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Days>3</Days></Expiration>');
    const o = live('k', '2014-01-15T10:30:00Z');
    expect(plan(three, [[o]], '2014-01-18T23:59:59Z')).toEqual([]);
    expect(plan(three, [[o]], '2014-01-19T00:00:00Z')).toHaveLength(1);
    // Created at 00:05 on January 2 with 1 day: one day old at 00:05 on January 3, expired at 00:00 on January 4.
    const early = live('k', '2026-01-02T00:05:00Z');
    expect(plan(oneDay, [[early]], '2026-01-03T23:59:59Z')).toEqual([]);
    expect(plan(oneDay, [[early]], '2026-01-04T00:00:00Z')).toHaveLength(1);
  });

  it('selects by prefix, by every tag of the rule (extra tags allowed), and by exclusive size bounds', () => {
    const rs = rules(
      '<ID>logs</ID><Status>Enabled</Status><Filter><Prefix>logs/</Prefix></Filter><Expiration><Days>1</Days></Expiration>',
      '<ID>tagged</ID><Status>Enabled</Status><Filter><And><Tag><Key>tmp</Key><Value>yes</Value></Tag><Tag><Key>team</Key><Value>a</Value></Tag></And></Filter><Expiration><Days>1</Days></Expiration>',
      '<ID>mid</ID><Status>Enabled</Status><Filter><And><Prefix>sized/</Prefix><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>20</ObjectSizeLessThan></And></Filter><Expiration><Days>1</Days></Expiration>',
    );
    const at = '2026-01-01T00:00:01Z';
    const keys = [
      [live('logs/x', at)],
      [live('other/logs/x', at)],
      [
        live('t1', at, {
          tags: [
            ['tmp', 'yes'],
            ['team', 'a'],
            ['extra', '1'],
          ],
        }),
      ],
      [live('t2', at, { tags: [['tmp', 'yes']] })],
      [
        live('t3', at, {
          tags: [
            ['tmp', 'YES'],
            ['team', 'a'],
          ],
        }),
      ],
      [live('sized/10', at, { size: 10 })],
      [live('sized/11', at, { size: 11 })],
      [live('sized/19', at, { size: 19 })],
      [live('sized/20', at, { size: 20 })],
    ];
    expect(plan(rs, keys, '2026-01-03T00:00:00Z').map((a) => `${a.key}:${a.ruleId}`)).toEqual([
      'logs/x:logs',
      't1:tagged',
      'sized/11:mid',
      'sized/19:mid',
    ]);
  });

  it('never acts on a Disabled rule', () => {
    const off = rules(
      '<ID>off</ID><Status>Disabled</Status><Filter/><Expiration><Days>1</Days></Expiration>',
    );
    expect(plan(off, [[live('k', '2020-01-01T00:00:00Z')]], '2026-01-01T00:00:00Z')).toEqual([]);
    expect(expirationHeader(off, { key: 'k', size: 1, tags: [], lastModified: 0 })).toBeUndefined();
  });

  it('takes the rule falling due first when several match, the first listed on a tie', () => {
    const rs = rules(
      '<ID>long</ID><Status>Enabled</Status><Filter/><Expiration><Days>30</Days></Expiration>',
      '<ID>short</ID><Status>Enabled</Status><Filter><Prefix>a</Prefix></Filter><Expiration><Days>2</Days></Expiration>',
      '<ID>short-too</ID><Status>Enabled</Status><Filter><Prefix>ab</Prefix></Filter><Expiration><Days>2</Days></Expiration>',
    );
    expect(plan(rs, [[live('abc', '2026-01-01T10:00:00Z')]], '2026-06-01T00:00:00Z')).toEqual([
      { type: 'expire-current', key: 'abc', ruleId: 'short' },
    ]);
  });
});

describe('Expiration by date', () => {
  const rs = rules(
    '<ID>by-date</ID><Status>Enabled</Status><Filter><Prefix>old/</Prefix></Filter><Expiration><Date>2026-03-01T00:00:00Z</Date></Expiration>',
  );

  it('expires matching objects from that midnight on, whenever they were created', () => {
    const before = live('old/a', '2025-01-01T00:00:00Z');
    const after = live('old/b', '2026-04-01T12:00:00Z');
    expect(plan(rs, [[before]], '2026-02-28T23:59:59Z')).toEqual([]);
    expect(
      plan(rs, [[before], [after], [live('new/c', '2025-01-01T00:00:00Z')]], '2026-03-01T00:00:00Z'),
    ).toEqual([
      { type: 'expire-current', key: 'old/a', ruleId: 'by-date' },
      { type: 'expire-current', key: 'old/b', ruleId: 'by-date' },
    ]);
  });

  it('names the date in x-amz-expiration', () => {
    expect(
      expirationHeader(rs, { key: 'old/x', size: 1, tags: [], lastModified: t('2025-06-01T00:00:00Z') }),
    ).toBe('expiry-date="Sun, 01 Mar 2026 00:00:00 GMT", rule-id="by-date"');
  });
});

describe('NoncurrentVersionExpiration', () => {
  it('counts noncurrent days from when the successor was written, rounded up to midnight', () => {
    const rs = rules(
      '<ID>nc</ID><Status>Enabled</Status><Filter/><NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration>',
    );
    // S3's photo.gif example: noncurrent since 1/2/2014 11:30 UTC, removed 1/8/2014 00:00 UTC.
    const versions = history('photo.gif', ['v2', '2014-01-02T11:30:00Z'], ['v1', '2013-12-01T08:00:00Z']);
    expect(plan(rs, [versions], '2014-01-07T23:59:59Z')).toEqual([]);
    expect(plan(rs, [versions], '2014-01-08T00:00:00Z')).toEqual([
      { type: 'delete-version', key: 'photo.gif', versionId: 'v1', ruleId: 'nc' },
    ]);
    // The current version is never touched by this action.
    expect(plan(rs, [versions], '2030-01-01T00:00:00Z')).toHaveLength(1);
  });

  it('uses noncurrentSince when the caller gives it, each version its own', () => {
    const rs = rules(
      '<ID>nc</ID><Status>Enabled</Status><Filter/><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>',
    );
    const versions = history(
      'k',
      ['v3', '2026-01-10T12:00:00Z'],
      ['v2', '2026-01-05T12:00:00Z'],
      ['v1', '2026-01-01T12:00:00Z'],
    );
    // v2 noncurrent since 01-10 12:00 → due 01-12; v1 since 01-05 12:00 → due 01-07.
    expect(
      plan(rs, [versions], '2026-01-11T00:00:00Z').map((a) => a.type === 'delete-version' && a.versionId),
    ).toEqual(['v1']);
    expect(
      plan(rs, [versions], '2026-01-12T00:00:00Z').map((a) => a.type === 'delete-version' && a.versionId),
    ).toEqual(['v2', 'v1']);
    const explicit = versions.map((v) =>
      v.versionId === 'v2' ? { ...v, noncurrentSince: t('2026-01-20T00:00:00Z') } : v,
    );
    expect(
      plan(rs, [explicit], '2026-01-12T00:00:00Z').map((a) => a.type === 'delete-version' && a.versionId),
    ).toEqual(['v1']);
  });

  it('keeps the N newest noncurrent versions with NewerNoncurrentVersions, once the days have passed', () => {
    const rs = rules(
      '<ID>keep2</ID><Status>Enabled</Status><Filter/><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>',
    );
    const versions = history(
      'k',
      ['v5', '2026-01-05T00:00:00Z'],
      ['v4', '2026-01-04T00:00:00Z'],
      ['v3', '2026-01-03T00:00:00Z'],
      ['v2', '2026-01-02T00:00:00Z'],
      ['v1', '2026-01-01T00:00:00Z'],
    );
    const removed = (now: string) =>
      plan(rs, [versions], now).map((a) => a.type === 'delete-version' && a.versionId);
    // v1 noncurrent since 01-02 00:00 → due 01-04 00:00, v2 since 01-03 00:00 → due 01-05 00:00
    // (a time exactly at midnight moves on to the next one).
    expect(removed('2026-01-03T23:59:59Z')).toEqual([]);
    expect(removed('2026-01-04T00:00:00Z')).toEqual(['v1']);
    expect(removed('2026-01-05T00:00:00Z')).toEqual(['v2', 'v1']);
    // v4 and v3 are the two newest noncurrent versions: kept however old.
    expect(removed('2027-01-01T00:00:00Z')).toEqual(['v2', 'v1']);
  });

  it('removes noncurrent delete markers like any noncurrent version, and honours the filter per version', () => {
    const rs = rules(
      '<ID>small</ID><Status>Enabled</Status><Filter><ObjectSizeLessThan>1</ObjectSizeLessThan></Filter><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>',
    );
    const versions = history(
      'k',
      ['v3', '2026-01-03T00:00:00Z'],
      ['dm', '2026-01-02T00:00:00Z', true],
      ['v1', '2026-01-01T00:00:00Z'],
    );
    expect(plan(rs, [versions], '2026-02-01T00:00:00Z')).toEqual([
      { type: 'delete-version', key: 'k', versionId: 'dm', ruleId: 'small' },
    ]);
  });
});

describe('expired object delete markers', () => {
  const marker = history('gone', ['dm', '2026-01-01T10:00:00Z', true]);
  const withVersions = history('kept', ['dm', '2026-01-01T10:00:00Z', true], ['v1', '2025-12-01T00:00:00Z']);

  it('ExpiredObjectDeleteMarker removes a delete marker that is the only version, at once', () => {
    const rs = rules(
      '<ID>markers</ID><Status>Enabled</Status><Filter/><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>',
    );
    expect(plan(rs, [marker, withVersions], '2026-01-01T10:00:00Z')).toEqual([
      { type: 'delete-marker', key: 'gone', versionId: 'dm', ruleId: 'markers' },
    ]);
    // Never an x-amz-expiration from a marker-only rule.
    expect(expirationHeader(rs, { key: 'x', size: 1, tags: [], lastModified: 0 })).toBeUndefined();
  });

  it('ExpiredObjectDeleteMarker false does nothing', () => {
    const rs = rules(
      '<ID>off</ID><Status>Enabled</Status><Filter/><Expiration><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration>',
    );
    expect(plan(rs, [marker], '2030-01-01T00:00:00Z')).toEqual([]);
  });

  it('an Expiration by days removes an expired marker once it is old enough, and no other marker', () => {
    const rs = rules('<ID>days</ID><Status>Enabled</Status><Filter/><Expiration><Days>2</Days></Expiration>');
    expect(plan(rs, [marker, withVersions], '2026-01-03T23:59:59Z')).toEqual([]);
    expect(plan(rs, [marker, withVersions], '2026-01-04T00:00:00Z')).toEqual([
      { type: 'delete-marker', key: 'gone', versionId: 'dm', ruleId: 'days' },
    ]);
  });

  it('does not act on a current delete marker with versions behind it', () => {
    const rs = rules(
      '<ID>m</ID><Status>Enabled</Status><Filter/><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>',
      '<ID>d</ID><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration>',
    );
    expect(plan(rs, [withVersions], '2030-01-01T00:00:00Z')).toEqual([]);
  });
});

describe('AbortIncompleteMultipartUpload', () => {
  const rs = rules(
    '<ID>stale</ID><Status>Enabled</Status><Filter><Prefix>up/</Prefix></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
    '<ID>slow</ID><Status>Enabled</Status><Filter/><AbortIncompleteMultipartUpload><DaysAfterInitiation>30</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
  );
  const uploads: UploadView[] = [
    { key: 'up/big.bin', uploadId: 'u1', initiated: t('2026-01-01T15:00:00Z') },
    { key: 'other.bin', uploadId: 'u2', initiated: t('2026-01-01T15:00:00Z') },
  ];

  it('aborts uploads by initiation + days, rounded up to midnight, each by its earliest rule', () => {
    expect(plan(rs, [], '2026-01-08T23:59:59Z', uploads)).toEqual([]);
    expect(plan(rs, [], '2026-01-09T00:00:00Z', uploads)).toEqual([
      { type: 'abort-upload', key: 'up/big.bin', uploadId: 'u1', ruleId: 'stale' },
    ]);
    expect(plan(rs, [], '2026-02-01T00:00:00Z', uploads)).toEqual([
      { type: 'abort-upload', key: 'up/big.bin', uploadId: 'u1', ruleId: 'stale' },
      { type: 'abort-upload', key: 'other.bin', uploadId: 'u2', ruleId: 'slow' },
    ]);
  });

  it('gives x-amz-abort-date / x-amz-abort-rule-id for CreateMultipartUpload', () => {
    expect(abortInfo(rs, { key: 'up/x', initiated: t('2026-01-01T15:00:00Z') })).toEqual({
      date: t('2026-01-09T00:00:00Z'),
      ruleId: 'stale',
    });
    expect(abortHeaders(rs, { key: 'up/x', initiated: t('2026-01-01T15:00:00Z') })).toEqual({
      'x-amz-abort-date': 'Fri, 09 Jan 2026 00:00:00 GMT',
      'x-amz-abort-rule-id': 'stale',
    });
    const none = rules('<ID>e</ID><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration>');
    expect(abortInfo(none, { key: 'up/x', initiated: 0 })).toBeUndefined();
    expect(abortHeaders(none, { key: 'up/x', initiated: 0 })).toEqual({});
  });
});

describe('x-amz-expiration', () => {
  it('names the expiry midnight and the rule, as S3 writes it (the ID as it is)', () => {
    const rs = rules(
      '<ID>Delete after 14 days</ID><Status>Enabled</Status><Filter><Prefix>pics/</Prefix></Filter><Expiration><Days>14</Days></Expiration>',
    );
    const obj = {
      key: 'pics/a.gif',
      size: 5,
      tags: [] as [string, string][],
      lastModified: t('2012-12-08T19:57:04Z'),
    };
    expect(expirationHeader(rs, obj)).toBe(
      'expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="Delete after 14 days"',
    );
    expect(expirationHeader(rs, { ...obj, key: 'docs/a.txt' })).toBeUndefined();
  });

  it('applies tag and size filters to the object it describes', () => {
    const rs = rules(
      '<ID>tmp</ID><Status>Enabled</Status><Filter><Tag><Key>tmp</Key><Value>1</Value></Tag></Filter><Expiration><Days>1</Days></Expiration>',
    );
    const base = { key: 'k', size: 1, lastModified: t('2026-01-01T10:00:00Z') };
    expect(expirationHeader(rs, { ...base, tags: [['tmp', '1']] })).toBe(
      'expiry-date="Sat, 03 Jan 2026 00:00:00 GMT", rule-id="tmp"',
    );
    expect(expirationHeader(rs, { ...base, tags: [['tmp', '2']] })).toBeUndefined();
  });
});
