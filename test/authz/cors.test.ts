import { describe, expect, it } from 'vitest';
import {
  type CorsRule,
  corsFromJson,
  corsResponseHeaders,
  corsToXml,
  evaluatePreflight,
  matchPreflight,
  parseCorsXml,
} from '../../stack/s3/authz/cors.ts';

const xml = (rules: string) =>
  `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules}</CORSConfiguration>`;
const rule = (inner: string) => `<CORSRule>${inner}</CORSRule>`;
const GET_ANY = '<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>';

function refusal(body: string): { code: string; message: string } {
  try {
    parseCorsXml(body);
  } catch (err) {
    const e = err as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a refusal');
}

describe('CORS configuration', () => {
  it('parses a document and renders it back', () => {
    const rules = parseCorsXml(
      xml(
        rule(
          '<ID>web</ID><AllowedOrigin>http://localhost:3000</AllowedOrigin><AllowedOrigin>https://*.focusmate.com</AllowedOrigin>' +
            '<AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader>' +
            '<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>',
        ) + rule(GET_ANY),
      ),
    );
    expect(rules).toEqual([
      {
        id: 'web',
        allowedOrigins: ['http://localhost:3000', 'https://*.focusmate.com'],
        allowedMethods: ['PUT', 'GET'],
        allowedHeaders: ['*'],
        exposeHeaders: ['ETag'],
        maxAgeSeconds: 3000,
      },
      {
        id: undefined,
        allowedOrigins: ['*'],
        allowedMethods: ['GET'],
        allowedHeaders: [],
        exposeHeaders: [],
        maxAgeSeconds: undefined,
      },
    ]);
    expect(parseCorsXml(corsToXml(rules))).toEqual(rules);
  });

  it.each<[string, string, string, string?]>([
    ['no rules', xml(''), 'MalformedXML'],
    ['not XML', '<CORSConfiguration>', 'MalformedXML'],
    ['wrong root', `<Cors>${rule(GET_ANY)}</Cors>`, 'MalformedXML'],
    ['rule without origin', xml(rule('<AllowedMethod>GET</AllowedMethod>')), 'MalformedXML'],
    ['rule without method', xml(rule('<AllowedOrigin>*</AllowedOrigin>')), 'MalformedXML'],
    ['unknown element', xml(rule(`${GET_ANY}<Foo>1</Foo>`)), 'MalformedXML'],
    ['non-numeric MaxAgeSeconds', xml(rule(`${GET_ANY}<MaxAgeSeconds>soon</MaxAgeSeconds>`)), 'MalformedXML'],
    ['101 rules', xml(rule(GET_ANY).repeat(101)), 'MalformedXML'],
    [
      'unsupported method',
      xml(rule('<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>')),
      'InvalidRequest',
      'Found unsupported HTTP method in CORS config. Unsupported method is PATCH',
    ],
    [
      'OPTIONS is not a method you can allow',
      xml(rule('<AllowedOrigin>*</AllowedOrigin><AllowedMethod>OPTIONS</AllowedMethod>')),
      'InvalidRequest',
      'Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS',
    ],
    [
      'two wildcards in an origin',
      xml(rule('<AllowedOrigin>*example*.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>')),
      'InvalidRequest',
      'AllowedOrigin "*example*.com" can not have more than one wildcard.',
    ],
    [
      'two wildcards in a header',
      xml(rule(`${GET_ANY}<AllowedHeader>x-*-*</AllowedHeader>`)),
      'InvalidRequest',
      'AllowedHeader "x-*-*" can not have more than one wildcard.',
    ],
    [
      'wildcard ExposeHeader',
      xml(rule(`${GET_ANY}<ExposeHeader>*</ExposeHeader>`)),
      'InvalidRequest',
      'ExposeHeader "*" contains wildcard. We currently do not support wildcard for ExposeHeader.',
    ],
  ])('%s → %s', (_name, body, code, message) => {
    const r = refusal(body);
    expect(r.code).toBe(code);
    if (message) expect(r.message).toBe(message);
  });

  it('accepts exactly 100 rules and the AWS CLI JSON shape', () => {
    expect(parseCorsXml(xml(rule(GET_ANY).repeat(100)))).toHaveLength(100);
    expect(
      corsFromJson({ CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], MaxAgeSeconds: 10 }] }),
    ).toEqual([
      {
        id: undefined,
        allowedOrigins: ['*'],
        allowedMethods: ['GET'],
        allowedHeaders: [],
        exposeHeaders: [],
        maxAgeSeconds: 10,
      },
    ]);
  });
});

const rules: CorsRule[] = [
  {
    allowedOrigins: ['http://localhost:3000', 'https://*.focusmate.com'],
    allowedMethods: ['GET', 'PUT'],
    allowedHeaders: ['content-type', 'x-amz-*'],
    exposeHeaders: ['ETag', 'x-amz-request-id'],
    maxAgeSeconds: 3000,
  },
  { allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] },
];

describe('CORS configuration: XML hygiene', () => {
  it('refuses a DTD (no entity expansion) and broken markup with MalformedXML', () => {
    expect(
      refusal(
        `<!DOCTYPE x [<!ENTITY o "*">]>${xml(rule('<AllowedOrigin>&o;</AllowedOrigin><AllowedMethod>GET</AllowedMethod>'))}`,
      ).code,
    ).toBe('MalformedXML');
    expect(refusal(xml(rule('<AllowedOrigin>*</AllowedMethod>'))).code).toBe('MalformedXML');
  });

  it('decodes numeric character references, as Go clients write them', () => {
    const [r] = parseCorsXml(
      xml(rule('<AllowedOrigin>http://a&#46;test</AllowedOrigin><AllowedMethod>GET</AllowedMethod>')),
    );
    expect(r!.allowedOrigins).toEqual(['http://a.test']);
  });
});

describe('preflight matching', () => {
  it.each<[string, string, string, string | undefined, number | null]>([
    ['exact origin and method', 'http://localhost:3000', 'PUT', undefined, 0],
    ['wildcard origin', 'https://app.focusmate.com', 'PUT', undefined, 0],
    ['wildcard matches an empty run', 'https://.focusmate.com', 'PUT', undefined, 0],
    ['scheme must match', 'https://localhost:3000', 'PUT', undefined, null],
    ['port must match', 'http://localhost:3001', 'PUT', undefined, null],
    ['trailing slash is another origin', 'http://localhost:3000/', 'PUT', undefined, null],
    ['falls through to the * rule for GET', 'http://evil.example', 'GET', undefined, 1],
    ['method not allowed anywhere', 'http://localhost:3000', 'DELETE', undefined, null],
    [
      'headers allowed (case-insensitive, wildcard)',
      'http://localhost:3000',
      'PUT',
      'Content-Type, X-Amz-Date,x-amz-content-sha256',
      0,
    ],
    ['one header not allowed → no rule', 'http://localhost:3000', 'PUT', 'content-type, authorization', null],
    ['rule without AllowedHeader allows none', 'http://evil.example', 'GET', 'content-type', null],
  ])('%s', (_name, origin, method, requestHeaders, expected) => {
    const match = matchPreflight(rules, { origin, method, requestHeaders });
    expect(match?.index ?? null).toBe(expected);
  });

  it('answers with S3’s headers: echoed origin, credentials, lower-case requested headers', () => {
    const match = matchPreflight(rules, {
      origin: 'https://app.focusmate.com',
      method: 'PUT',
      requestHeaders: 'Content-Type,X-Amz-Date',
    });
    expect(match?.headers).toEqual({
      'Access-Control-Allow-Origin': 'https://app.focusmate.com',
      'Access-Control-Allow-Methods': 'GET, PUT',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Headers': 'content-type, x-amz-date',
      'Access-Control-Expose-Headers': 'ETag, x-amz-request-id',
      'Access-Control-Max-Age': '3000',
      Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
  });

  it('a * origin answers * without credentials', () => {
    expect(matchPreflight(rules, { origin: 'http://evil.example', method: 'GET' })?.headers).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET',
      Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
  });

  it('evaluatePreflight refuses as S3 does', () => {
    expect(evaluatePreflight(rules, { method: 'GET', resourceType: 'OBJECT' })).toMatchObject({
      ok: false,
      status: 400,
      code: 'BadRequest',
      message: 'Insufficient information. Origin request header needed.',
    });
    expect(
      evaluatePreflight(undefined, { origin: 'http://a', method: 'PUT', resourceType: 'OBJECT' }),
    ).toMatchObject({
      ok: false,
      status: 403,
      code: 'AccessForbidden',
      message: 'CORSResponse: CORS is not enabled for this bucket.',
      extra: { Method: 'PUT', ResourceType: 'BUCKET' },
    });
    const refused = evaluatePreflight(rules, {
      origin: 'http://localhost:3000',
      method: 'DELETE',
      resourceType: 'OBJECT',
    });
    expect(refused).toMatchObject({
      ok: false,
      status: 403,
      code: 'AccessForbidden',
      extra: { Method: 'DELETE', ResourceType: 'OBJECT' },
    });
    expect(refused.ok ? '' : refused.message).toMatch(/^CORSResponse: This CORS request is not allowed\./);
    expect(
      evaluatePreflight(rules, { origin: 'http://localhost:3000', method: 'PUT', resourceType: 'OBJECT' }),
    ).toMatchObject({
      ok: true,
      status: 200,
      headers: { 'Access-Control-Allow-Origin': 'http://localhost:3000' },
    });
  });
});

describe('actual-request CORS headers', () => {
  it('exposes exactly the configured headers', () => {
    const h = corsResponseHeaders(rules, { origin: 'http://localhost:3000', method: 'PUT' });
    expect(h['Access-Control-Expose-Headers']).toBe('ETag, x-amz-request-id');
    expect(h['Access-Control-Allow-Origin']).toBe('http://localhost:3000');
    expect(h['Access-Control-Allow-Credentials']).toBe('true');
    expect(h['Access-Control-Allow-Headers']).toBeUndefined();
    expect(h.Vary).toBe('Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  });

  it('a rule without ExposeHeader exposes nothing (ETag unreadable, as on S3)', () => {
    const h = corsResponseHeaders(rules, { origin: 'http://elsewhere', method: 'GET' });
    expect(h).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET',
      Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
  });

  it('no Origin, no configuration or no match → no CORS headers', () => {
    expect(corsResponseHeaders(rules, { method: 'GET' })).toEqual({});
    expect(corsResponseHeaders(undefined, { origin: 'http://localhost:3000', method: 'GET' })).toEqual({});
    expect(corsResponseHeaders(rules, { origin: 'http://elsewhere', method: 'PUT' })).toEqual({});
  });

  it('Access-Control-Request-Method on an actual request decides the match', () => {
    expect(
      corsResponseHeaders(rules, {
        origin: 'http://elsewhere',
        method: 'GET',
        accessControlRequestMethod: 'PUT',
      }),
    ).toEqual({});
  });
});
