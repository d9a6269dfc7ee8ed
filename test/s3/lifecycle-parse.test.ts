// The lifecycle configuration document: both rule forms parse, every refusal carries S3's code
// and message, and what Get renders parses back to the same rules.
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../stack/s3/errors.ts';
import {
  type LifecycleRule,
  parseLifecycleConfiguration,
  renderLifecycleConfiguration,
} from '../../stack/s3/lifecycle/index.ts';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const doc = (...rules: string[]) =>
  `<LifecycleConfiguration xmlns="${NS}">${rules.join('')}</LifecycleConfiguration>`;
/** A V2 rule with the given inner elements; Status Enabled unless given. */
const rule = (inner: string, status = 'Enabled') => `<Rule><Status>${status}</Status>${inner}</Rule>`;
const EXP1 = '<Expiration><Days>1</Days></Expiration>';

function parseError(xml: string): S3Error {
  try {
    parseLifecycleConfiguration(xml);
  } catch (err) {
    expect(err).toBeInstanceOf(S3Error);
    return err as S3Error;
  }
  throw new Error('expected the document to be refused');
}

function expectError(xml: string, code: string, message?: string): void {
  const err = parseError(xml);
  expect(err.code).toBe(code);
  if (message !== undefined) expect(err.message).toBe(message);
  expect(err.status).toBe(400);
}

describe('parseLifecycleConfiguration: valid documents', () => {
  it('reads a rule-level Prefix (Lifecycle V1) with every action S3 allows there', () => {
    const rules = parseLifecycleConfiguration(
      doc(
        `<Rule><ID>logs</ID><Prefix>logs/</Prefix><Status>Enabled</Status>
          <Expiration><Days>365</Days></Expiration>
          <Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>
          <Transition><Date>2027-01-01T00:00:00.000Z</Date><StorageClass>GLACIER</StorageClass></Transition>
          <NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays></NoncurrentVersionExpiration>
          <NoncurrentVersionTransition><NoncurrentDays>0</NoncurrentDays><StorageClass>GLACIER_IR</StorageClass></NoncurrentVersionTransition>
          <AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload>
        </Rule>`,
      ),
    );
    expect(rules).toEqual<LifecycleRule[]>([
      {
        id: 'logs',
        status: 'Enabled',
        filter: { prefix: 'logs/' },
        filterStyle: 'rule-prefix',
        expiration: { days: 365 },
        transitions: [
          { days: 30, storageClass: 'STANDARD_IA' },
          { date: Date.UTC(2027, 0, 1), storageClass: 'GLACIER' },
        ],
        noncurrentVersionExpiration: { noncurrentDays: 7 },
        noncurrentVersionTransitions: [{ noncurrentDays: 0, storageClass: 'GLACIER_IR' }],
        abortIncompleteMultipartUpload: { daysAfterInitiation: 3 },
      },
    ]);
  });

  it('reads each single-predicate Filter, an empty Filter and an And', () => {
    const rules = parseLifecycleConfiguration(
      doc(
        rule(`<ID>empty</ID><Filter/>${EXP1}`),
        rule(`<ID>prefix</ID><Filter><Prefix>a/</Prefix></Filter>${EXP1}`),
        rule(`<ID>tag</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>${EXP1}`),
        rule(`<ID>gt</ID><Filter><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></Filter>${EXP1}`),
        rule(`<ID>lt</ID><Filter><ObjectSizeLessThan>20</ObjectSizeLessThan></Filter>${EXP1}`),
        rule(
          `<ID>and</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan><ObjectSizeLessThan>1024</ObjectSizeLessThan></And></Filter>${EXP1}`,
        ),
        rule(
          `<ID>and-tags</ID><Filter><And><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key></Tag></And></Filter>${EXP1}`,
        ),
        rule(
          `<ID>and-empty-prefix</ID><Filter><And><Prefix></Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></And></Filter>${EXP1}`,
        ),
      ),
    );
    expect(rules.map((r) => [r.id, r.filter, r.filterStyle])).toEqual([
      ['empty', {}, 'filter'],
      ['prefix', { prefix: 'a/' }, 'filter'],
      ['tag', { tags: [['k', 'v']] }, 'filter'],
      ['gt', { objectSizeGreaterThan: 10 }, 'filter'],
      ['lt', { objectSizeLessThan: 20 }, 'filter'],
      [
        'and',
        {
          prefix: 'p/',
          tags: [
            ['a', '1'],
            ['b', '2'],
          ],
          objectSizeGreaterThan: 0,
          objectSizeLessThan: 1024,
        },
        'filter',
      ],
      // A Tag without Value selects objects whose tag has no value.
      [
        'and-tags',
        {
          tags: [
            ['a', '1'],
            ['b', ''],
          ],
        },
        'filter',
      ],
      ['and-empty-prefix', { prefix: '', objectSizeLessThan: 5 }, 'filter'],
    ]);
  });

  it('reads the Expiration forms, NewerNoncurrentVersions and a Disabled rule; elements in any order', () => {
    const rules = parseLifecycleConfiguration(
      doc(
        `<Rule><Expiration><Date>2026-03-01T00:00:00Z</Date></Expiration><Filter><Prefix>d/</Prefix></Filter><Status>Disabled</Status><ID>date</ID></Rule>`,
        rule(
          `<ID>marker</ID><Filter/><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`,
        ),
        rule(
          `<ID>marker-off</ID><Filter/><Expiration><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration>`,
        ),
        rule(
          `<ID>newer</ID><Filter/><NoncurrentVersionExpiration><NoncurrentDays> 30 </NoncurrentDays><NewerNoncurrentVersions>5</NewerNoncurrentVersions></NoncurrentVersionExpiration>`,
        ),
        // An offset that lands on midnight UTC is midnight GMT.
        rule(`<ID>offset</ID><Filter/><Expiration><Date>2026-03-01T01:00:00+01:00</Date></Expiration>`),
      ),
    );
    expect(rules.map((r) => [r.id, r.status, r.expiration, r.noncurrentVersionExpiration])).toEqual([
      ['date', 'Disabled', { date: Date.UTC(2026, 2, 1) }, undefined],
      ['marker', 'Enabled', { expiredObjectDeleteMarker: true }, undefined],
      ['marker-off', 'Enabled', { expiredObjectDeleteMarker: false }, undefined],
      ['newer', 'Enabled', undefined, { noncurrentDays: 30, newerNoncurrentVersions: 5 }],
      ['offset', 'Enabled', { date: Date.UTC(2026, 2, 1) }, undefined],
    ]);
  });

  it('makes an ID for a rule put without one (or with an empty one), in S3 form', () => {
    const [a, b] = parseLifecycleConfiguration(
      doc(rule(`<Filter/>${EXP1}`), rule(`<ID></ID><Filter/>${EXP1}`)),
    );
    for (const id of [a!.id, b!.id]) {
      expect(id).toMatch(/^[A-Za-z0-9+/]{48}$/);
      expect(Buffer.from(id, 'base64').toString()).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    }
    expect(a!.id).not.toBe(b!.id);
    const [c] = parseLifecycleConfiguration(doc(rule(`<Filter/>${EXP1}`)), { newId: () => 'made' });
    expect(c!.id).toBe('made');
  });

  it('accepts 1000 rules and a 255-character ID; escaped text is read', () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      rule(`<ID>r${i}</ID><Filter><Prefix>p${i}/</Prefix></Filter>${EXP1}`),
    );
    expect(parseLifecycleConfiguration(doc(...many))).toHaveLength(1000);
    const [long] = parseLifecycleConfiguration(doc(rule(`<ID>${'x'.repeat(255)}</ID><Filter/>${EXP1}`)));
    expect(long!.id).toHaveLength(255);
    const [esc] = parseLifecycleConfiguration(
      doc(rule(`<ID>a &amp; b</ID><Filter><Prefix>&lt;x&gt;</Prefix></Filter>${EXP1}`)),
    );
    expect([esc!.id, esc!.filter.prefix]).toEqual(['a & b', '<x>']);
  });
});

describe('parseLifecycleConfiguration: refusals', () => {
  const MALFORMED =
    'The XML you provided was not well-formed or did not validate against our published schema';

  it.each([
    ['not XML', '<LifecycleConfiguration><Rule>'],
    ['another root', '<CORSConfiguration/>'],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY e "x">]>${doc(rule(`<Filter/>${EXP1}`))}`],
    ['an unknown element in the root', doc(rule(`<Filter/>${EXP1}`), '<Other/>')],
    ['an unknown element in a rule', doc(rule(`<Filter/>${EXP1}<Size>1</Size>`))],
    ['no Status', doc(`<Rule><Filter/>${EXP1}</Rule>`)],
    ['Status enabled (lowercase)', doc(rule(`<Filter/>${EXP1}`, 'enabled'))],
    ['two Status', doc(`<Rule><Status>Enabled</Status><Status>Enabled</Status><Filter/>${EXP1}</Rule>`)],
    ['neither Filter nor Prefix', doc(rule(EXP1))],
    ['both Filter and Prefix', doc(rule(`<Prefix>a</Prefix><Filter/>${EXP1}`))],
    [
      'two predicates directly in a Filter',
      doc(rule(`<Filter><Prefix>a</Prefix><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan></Filter>${EXP1}`)),
    ],
    [
      'a Prefix and a Tag directly in a Filter',
      doc(rule(`<Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter>${EXP1}`)),
    ],
    [
      'two Tags directly in a Filter',
      doc(
        rule(
          `<Filter><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></Filter>${EXP1}`,
        ),
      ),
    ],
    [
      'And beside a Prefix',
      doc(
        rule(
          `<Filter><Prefix>a</Prefix><And><Prefix>b</Prefix><ObjectSizeLessThan>4</ObjectSizeLessThan></And></Filter>${EXP1}`,
        ),
      ),
    ],
    ['an And holding one Prefix', doc(rule(`<Filter><And><Prefix>a</Prefix></And></Filter>${EXP1}`))],
    [
      'an And holding one Tag',
      doc(rule(`<Filter><And><Tag><Key>a</Key><Value>1</Value></Tag></And></Filter>${EXP1}`)),
    ],
    ['an empty And', doc(rule(`<Filter><And/></Filter>${EXP1}`))],
    ['a Tag without Key', doc(rule(`<Filter><Tag><Value>v</Value></Tag></Filter>${EXP1}`))],
    [
      'a size that is not a number',
      doc(rule(`<Filter><ObjectSizeLessThan>big</ObjectSizeLessThan></Filter>${EXP1}`)),
    ],
    ['an empty Expiration', doc(rule('<Filter/><Expiration/>'))],
    [
      'Expiration with Days and Date',
      doc(rule('<Filter/><Expiration><Days>1</Days><Date>2026-01-01T00:00:00Z</Date></Expiration>')),
    ],
    [
      'ExpiredObjectDeleteMarker with Days',
      doc(
        rule(
          '<Filter/><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>',
        ),
      ),
    ],
    [
      'ExpiredObjectDeleteMarker with Date',
      doc(
        rule(
          '<Filter/><Expiration><Date>2026-01-01T00:00:00Z</Date><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>',
        ),
      ),
    ],
    [
      'ExpiredObjectDeleteMarker yes',
      doc(
        rule('<Filter/><Expiration><ExpiredObjectDeleteMarker>yes</ExpiredObjectDeleteMarker></Expiration>'),
      ),
    ],
    ['Days that are not an integer', doc(rule('<Filter/><Expiration><Days>1.5</Days></Expiration>'))],
    ['Days past a 32-bit integer', doc(rule('<Filter/><Expiration><Days>2147483648</Days></Expiration>'))],
    [
      'an HTTP-date Date',
      doc(rule('<Filter/><Expiration><Date>Fri, 01 Jan 2016 00:00:00 GMT</Date></Expiration>')),
    ],
    ['a Date with no time', doc(rule('<Filter/><Expiration><Date>2026-01-01</Date></Expiration>'))],
    [
      'a Date that does not exist',
      doc(rule('<Filter/><Expiration><Date>2026-02-30T00:00:00Z</Date></Expiration>')),
    ],
    [
      'NoncurrentVersionExpiration without NoncurrentDays',
      doc(
        rule(
          '<Filter/><NoncurrentVersionExpiration><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>',
        ),
      ),
    ],
    ['an empty NoncurrentVersionExpiration', doc(rule('<Filter/><NoncurrentVersionExpiration/>'))],
    [
      'AbortIncompleteMultipartUpload without DaysAfterInitiation',
      doc(rule('<Filter/><AbortIncompleteMultipartUpload/>')),
    ],
    ['a Transition without a storage class', doc(rule('<Filter/><Transition><Days>1</Days></Transition>'))],
    [
      'a Transition to STANDARD',
      doc(rule('<Filter/><Transition><Days>1</Days><StorageClass>STANDARD</StorageClass></Transition>')),
    ],
    [
      'a Transition with Days and Date',
      doc(
        rule(
          '<Filter/><Transition><Days>1</Days><Date>2026-01-01T00:00:00Z</Date><StorageClass>GLACIER</StorageClass></Transition>',
        ),
      ),
    ],
    [
      'a Transition with neither Days nor Date',
      doc(rule('<Filter/><Transition><StorageClass>GLACIER</StorageClass></Transition>')),
    ],
  ])('%s: MalformedXML', (_name, xml) => {
    expectError(xml, 'MalformedXML', MALFORMED);
  });

  it.each([
    ['no rules', doc(), 'At least one lifecycle rule must be specified.'],
    [
      '1001 rules',
      doc(...Array.from({ length: 1001 }, (_, i) => rule(`<ID>r${i}</ID><Filter/>${EXP1}`))),
      'The number of lifecycle rules must not exceed the allowed limit of 1000 rules.',
    ],
    [
      'a rule with no action',
      doc(rule('<ID>a</ID><Filter/>')),
      'At least one action needs to be specified in a rule',
    ],
    [
      'a Filter after a rule-level Prefix',
      doc(
        `<Rule><Prefix>a/</Prefix><Status>Enabled</Status>${EXP1}</Rule>`,
        rule(`<Filter><Prefix>b/</Prefix></Filter>${EXP1}`),
      ),
      'Filter element can only be used in Lifecycle V2.',
    ],
    [
      'a rule-level Prefix after a Filter',
      doc(
        rule(`<Filter><Prefix>b/</Prefix></Filter>${EXP1}`),
        `<Rule><Prefix>a/</Prefix><Status>Enabled</Status>${EXP1}</Rule>`,
      ),
      'Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.',
    ],
    [
      'NewerNoncurrentVersions with a rule-level Prefix',
      doc(
        '<Rule><Prefix>a/</Prefix><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>',
      ),
      'NewerNoncurrentVersions element can only be used in Lifecycle V2.',
    ],
    [
      'overlapping rule-level prefixes with one action type',
      doc(
        `<Rule><ID>a</ID><Prefix>dir/</Prefix><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
        `<Rule><ID>b</ID><Prefix>di</Prefix><Status>Disabled</Status>${EXP1}<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
      ),
      "Found overlapping prefixes 'dir/' and 'di' for same action type 'AbortIncompleteMultipartUpload'",
    ],
    [
      'AbortIncompleteMultipartUpload with a tag filter',
      doc(
        rule(
          '<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
        ),
      ),
      'AbortIncompleteMultipartUpload cannot be specified with Tags.',
    ],
    [
      'AbortIncompleteMultipartUpload with tags in an And',
      doc(
        rule(
          '<Filter><And><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
        ),
      ),
      'AbortIncompleteMultipartUpload cannot be specified with Tags.',
    ],
    [
      'AbortIncompleteMultipartUpload with a size filter',
      doc(
        rule(
          '<Filter><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
        ),
      ),
      'AbortIncompleteMultipartUpload cannot be specified with Object Size.',
    ],
    [
      'ExpiredObjectDeleteMarker with a tag filter',
      doc(
        rule(
          '<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>',
        ),
      ),
      'ExpiredObjectDeleteMarker cannot be specified with Tags.',
    ],
    [
      'ExpiredObjectDeleteMarker false with a size filter',
      doc(
        rule(
          '<Filter><ObjectSizeLessThan>1</ObjectSizeLessThan></Filter><Expiration><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration>',
        ),
      ),
      'ExpiredObjectDeleteMarker cannot be specified with Object Size.',
    ],
    [
      'duplicate tag keys in an And',
      doc(
        rule(
          `<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter>${EXP1}`,
        ),
      ),
      'Duplicate Tag Keys are not allowed.',
    ],
    [
      'ObjectSizeLessThan 0',
      doc(rule(`<Filter><ObjectSizeLessThan>0</ObjectSizeLessThan></Filter>${EXP1}`)),
      "'ObjectSizeLessThan' should be between 1 and 1099511627776000.",
    ],
    [
      'ObjectSizeGreaterThan negative',
      doc(rule(`<Filter><ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan></Filter>${EXP1}`)),
      "'ObjectSizeGreaterThan' should be between 0 and 1099511627776000.",
    ],
    [
      'ObjectSizeGreaterThan equal to ObjectSizeLessThan',
      doc(
        rule(
          `<Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter>${EXP1}`,
        ),
      ),
      "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.",
    ],
  ])('%s: InvalidRequest', (_name, xml, message) => {
    expectError(xml, 'InvalidRequest', message);
  });

  it.each([
    [
      'Days 0',
      doc(rule('<Filter/><Expiration><Days>0</Days></Expiration>')),
      "'Days' for Expiration action must be a positive integer",
    ],
    [
      'Days -3',
      doc(rule('<Filter/><Expiration><Days>-3</Days></Expiration>')),
      "'Days' for Expiration action must be a positive integer",
    ],
    [
      'a Date at noon',
      doc(rule('<Filter/><Expiration><Date>2026-01-01T12:00:00Z</Date></Expiration>')),
      "'Date' must be at midnight GMT",
    ],
    [
      'a Date a millisecond past midnight',
      doc(rule('<Filter/><Expiration><Date>2026-01-01T00:00:00.001Z</Date></Expiration>')),
      "'Date' must be at midnight GMT",
    ],
    [
      'a Date at local midnight',
      doc(rule('<Filter/><Expiration><Date>2026-01-01T00:00:00+02:00</Date></Expiration>')),
      "'Date' must be at midnight GMT",
    ],
    [
      'a Transition Date at noon',
      doc(
        rule(
          '<Filter/><Transition><Date>2026-01-01T12:00:00Z</Date><StorageClass>GLACIER</StorageClass></Transition>',
        ),
      ),
      "'Date' must be at midnight GMT",
    ],
    [
      'NoncurrentDays 0',
      doc(
        rule(
          '<Filter/><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>',
        ),
      ),
      "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
    ],
    [
      'NewerNoncurrentVersions 0',
      doc(
        rule(
          '<Filter/><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions></NoncurrentVersionExpiration>',
        ),
      ),
      "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer",
    ],
    [
      'DaysAfterInitiation 0',
      doc(
        rule(
          '<Filter/><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
        ),
      ),
      "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
    ],
    [
      'an ID of 256 characters',
      doc(rule(`<ID>${'x'.repeat(256)}</ID><Filter/>${EXP1}`)),
      'ID length should not exceed allowed limit of 255',
    ],
    [
      'two rules with one ID',
      doc(
        rule(`<ID>same</ID><Filter><Prefix>a</Prefix></Filter>${EXP1}`),
        rule(`<ID>same</ID><Filter><Prefix>b</Prefix></Filter>${EXP1}`),
      ),
      'Rule ID must be unique. Found same ID for more than one rule',
    ],
    [
      'a Transition to ONEZONE_IA at 29 days',
      doc(rule('<Filter/><Transition><Days>29</Days><StorageClass>ONEZONE_IA</StorageClass></Transition>')),
      "'Days' in Transition action must be greater than or equal to 30 for storageClass 'ONEZONE_IA'",
    ],
    [
      'a Transition to STANDARD_IA at 0 days',
      doc(rule('<Filter/><Transition><Days>0</Days><StorageClass>STANDARD_IA</StorageClass></Transition>')),
      "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'",
    ],
    [
      'a Transition with negative Days',
      doc(rule('<Filter/><Transition><Days>-1</Days><StorageClass>GLACIER</StorageClass></Transition>')),
      "'Days' in Transition action must be nonnegative",
    ],
    [
      'a NoncurrentVersionTransition to STANDARD_IA at 10 days',
      doc(
        rule(
          '<Filter/><NoncurrentVersionTransition><NoncurrentDays>10</NoncurrentDays><StorageClass>STANDARD_IA</StorageClass></NoncurrentVersionTransition>',
        ),
      ),
      "'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'",
    ],
  ])('%s: InvalidArgument', (_name, xml, message) => {
    expectError(xml, 'InvalidArgument', message);
  });

  it('checks the schema of the whole document before any rule limit', () => {
    // The first rule breaks a limit (Days 0), the second the schema: the schema wins.
    expectError(
      doc(rule('<Filter/><Expiration><Days>0</Days></Expiration>'), rule('<Filter/><Expiration/>')),
      'MalformedXML',
    );
  });

  it('accepts what S3 was seen to accept: Transition Days 0 to GLACIER_IR, And of an empty Prefix, 500 noncurrent versions kept', () => {
    const rules = parseLifecycleConfiguration(
      doc(
        rule(
          '<ID>a</ID><Filter/><Transition><Days>0</Days><StorageClass>GLACIER_IR</StorageClass></Transition>',
        ),
        rule(
          '<ID>b</ID><Filter/><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>500</NewerNoncurrentVersions></NoncurrentVersionExpiration>',
        ),
      ),
    );
    expect(rules[1]!.noncurrentVersionExpiration).toEqual({
      noncurrentDays: 1,
      newerNoncurrentVersions: 500,
    });
  });

  it('allows overlapping prefixes in V1 when the action types differ, and always in V2', () => {
    expect(
      parseLifecycleConfiguration(
        doc(
          `<Rule><ID>a</ID><Prefix>dir/</Prefix><Status>Enabled</Status>${EXP1}</Rule>`,
          '<Rule><ID>b</ID><Prefix>di</Prefix><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>',
        ),
      ),
    ).toHaveLength(2);
    expect(
      parseLifecycleConfiguration(
        doc(
          rule(`<ID>a</ID><Filter><Prefix>dir/</Prefix></Filter>${EXP1}`),
          rule(`<ID>b</ID><Filter/>${EXP1}`),
        ),
      ),
    ).toHaveLength(2);
  });
});

describe('renderLifecycleConfiguration', () => {
  it('writes each rule as it was put: ID, the filter, Status, then the actions', () => {
    const rules = parseLifecycleConfiguration(
      doc(
        rule(`<ID>empty</ID><Filter></Filter>${EXP1}`),
        rule(
          `<ID>and</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag></And></Filter>${EXP1}`,
        ),
        rule(
          '<ID>one-tag</ID><Filter><Tag><Key>a &amp; b</Key><Value>&lt;1&gt;</Value></Tag></Filter><Expiration><Date>2026-05-01T00:00:00Z</Date></Expiration>',
        ),
      ),
    );
    expect(renderLifecycleConfiguration(rules)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<LifecycleConfiguration xmlns="${NS}">` +
        '<Rule><ID>empty</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>' +
        '<Rule><ID>and</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>' +
        '<Rule><ID>one-tag</ID><Filter><Tag><Key>a &amp; b</Key><Value>&lt;1&gt;</Value></Tag></Filter><Status>Enabled</Status><Expiration><Date>2026-05-01T00:00:00.000Z</Date></Expiration></Rule>' +
        '</LifecycleConfiguration>',
    );
  });

  it('keeps a rule-level Prefix (even an empty one) as a rule-level Prefix', () => {
    const rules = parseLifecycleConfiguration(
      doc(
        `<Rule><ID>v1</ID><Prefix></Prefix><Status>Enabled</Status>${EXP1}</Rule>`,
        '<Rule><ID>v1b</ID><Prefix>x/</Prefix><Status>Disabled</Status><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays></NoncurrentVersionExpiration></Rule>',
      ),
      { newId: () => 'unused' },
    );
    const xml = renderLifecycleConfiguration(rules);
    expect(xml).toContain('<Rule><ID>v1</ID><Prefix></Prefix><Status>Enabled</Status>');
    expect(xml).toContain(
      '<Rule><ID>v1b</ID><Prefix>x/</Prefix><Status>Disabled</Status><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays></NoncurrentVersionExpiration></Rule>',
    );
    expect(xml).not.toContain('<Filter');
  });

  it('round-trips: parse → render → parse gives the same rules, generated IDs included', () => {
    const original = doc(
      rule(
        `<Filter><And><Prefix>a/</Prefix><Tag><Key>t</Key><Value></Value></Tag><ObjectSizeGreaterThan>5</ObjectSizeGreaterThan><ObjectSizeLessThan>1000</ObjectSizeLessThan></And></Filter>
         <Expiration><Days>10</Days></Expiration>
         <Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>
         <Transition><Days>90</Days><StorageClass>DEEP_ARCHIVE</StorageClass></Transition>
         <NoncurrentVersionExpiration><NoncurrentDays>40</NoncurrentDays><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>
         <NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions><StorageClass>ONEZONE_IA</StorageClass></NoncurrentVersionTransition>`,
      ),
      rule(
        '<ID>m</ID><Filter><Prefix>b/</Prefix></Filter><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
      ),
      rule(
        '<ID>d</ID><Filter><ObjectSizeLessThan>7</ObjectSizeLessThan></Filter><Expiration><Date>2030-12-31T00:00:00Z</Date></Expiration><Transition><Date>2030-01-01T00:00:00Z</Date><StorageClass>INTELLIGENT_TIERING</StorageClass></Transition>',
        'Disabled',
      ),
    );
    const first = parseLifecycleConfiguration(original);
    const again = parseLifecycleConfiguration(renderLifecycleConfiguration(first));
    expect(again).toEqual(first);
    expect(renderLifecycleConfiguration(again)).toBe(renderLifecycleConfiguration(first));
    const v1 = parseLifecycleConfiguration(
      doc(
        '<Rule><ID>x</ID><Prefix>logs/</Prefix><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>',
      ),
    );
    expect(parseLifecycleConfiguration(renderLifecycleConfiguration(v1))).toEqual(v1);
  });
});
