// authenticate() against requests signed by the AWS SDK itself: captured off a real socket from
// @aws-sdk/client-s3 and the presigner, and built with @smithy/signature-v4. Each tampering must
// be refused with the code (and extras) S3 answers.
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticate,
  createSigningKeyCache,
  formatAmzDate,
  ingest,
  wrongRegionError,
} from '../../../stack/s3/ingest/index.ts';
import type { RequestInfo } from '../../../stack/s3/ingest/types.ts';
import { type CapturedRequest, type CaptureServer, startCaptureServer } from './capture-server.ts';
import { credentials, lookup, RETIRED, requestInfo, thrown, USER } from './fixtures.ts';

const ODD_KEY = "dir with space/ü ñ 日本/c+d=e~f!*'()&$@,;:.txt";
let cap: CaptureServer;
let client: S3Client;

beforeAll(async () => {
  cap = await startCaptureServer();
  client = new S3Client({ endpoint: cap.url, region: 'ap-northeast-2', forcePathStyle: true, credentials });
});
afterAll(async () => {
  client?.destroy();
  await cap?.stop();
});

async function capture(send: () => Promise<unknown>): Promise<CapturedRequest> {
  const before = cap.requests.length;
  await send().catch(() => {}); // the capture server's bare 200 need not satisfy the SDK's parser
  expect(cap.requests.length).toBe(before + 1);
  return cap.requests[cap.requests.length - 1];
}

function withHeaders(r: RequestInfo, patch: Record<string, string | undefined>): RequestInfo {
  const headers = { ...r.headers };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  return { method: r.method, rawPath: r.rawPath, rawQuery: r.rawQuery, headers };
}

const opts = { lookup };

describe('header auth from @aws-sdk/client-s3', () => {
  it('accepts PutObject of a key with spaces, unicode and reserved characters', async () => {
    const r = await capture(() =>
      client.send(new PutObjectCommand({ Bucket: 'fm-bucket', Key: ODD_KEY, Body: 'hi' })),
    );
    const auth = authenticate(requestInfo(r), opts);
    expect(auth.identity?.name).toBe(USER.name);
    expect(auth.via).toBe('header');
    expect(auth.signedRegion).toBe('ap-northeast-2');
    expect(auth.payload).toBe('signed');
    expect(auth.signedHeaders).toContain('host');
    const got = ingest(Readable.from([r.body]), { auth, headers: r.headers, maxBytes: 100 });
    expect((await buffer(got.body)).toString()).toBe('hi');
    expect(got.result().checksum?.algorithm).toBe('CRC32');
  });

  it('accepts ListObjectsV2 with query values that need encoding', async () => {
    const r = await capture(() =>
      client.send(
        new ListObjectsV2Command({
          Bucket: 'fm-bucket',
          Prefix: 'a b/ü+=&~*?',
          Delimiter: '/',
          StartAfter: "x'y(z)!",
          MaxKeys: 5,
        }),
      ),
    );
    expect(r.rawQuery).toContain('prefix=');
    expect(authenticate(requestInfo(r), opts).identity?.name).toBe(USER.name);
  });

  it('accepts GetObject with response-content-disposition overrides', async () => {
    const r = await capture(() =>
      client.send(
        new GetObjectCommand({
          Bucket: 'fm-bucket',
          Key: ODD_KEY,
          ResponseContentDisposition: 'attachment; filename="ü x+y.txt"',
          Range: 'bytes=0-1',
        }),
      ),
    );
    const auth = authenticate(requestInfo(r), opts);
    expect(auth.payload).toBe('signed');
    expect(auth.contentSha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('accepts a streaming PutObject (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', async () => {
    const r = await capture(() =>
      client.send(
        new PutObjectCommand({
          Bucket: 'fm-bucket',
          Key: 'k',
          Body: Readable.from([Buffer.from('x')]),
          ContentLength: 1,
        }),
      ),
    );
    expect(authenticate(requestInfo(r), opts).payload).toBe('streaming-unsigned-trailer');
  });
});

describe('header auth tampering', () => {
  let signed: RequestInfo;
  beforeAll(async () => {
    const r = await capture(() =>
      client.send(
        new PutObjectCommand({
          Bucket: 'fm-bucket',
          Key: 'doc.txt',
          Body: 'hello',
          ContentType: 'text/plain',
        }),
      ),
    );
    signed = requestInfo(r);
    delete signed.rawHeaders;
    authenticate(signed, opts);
  });

  it('method → SignatureDoesNotMatch with the canonical request and string to sign', () => {
    const err = thrown(() => authenticate({ ...signed, method: 'POST' }, opts));
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.status).toBe(403);
    expect(Object.keys(err.extra)).toEqual([
      'AWSAccessKeyId',
      'StringToSign',
      'SignatureProvided',
      'StringToSignBytes',
      'CanonicalRequest',
      'CanonicalRequestBytes',
    ]);
    expect(err.extra.AWSAccessKeyId).toBe(USER.accessKeyId);
    expect(err.extra.CanonicalRequest.startsWith('POST\n/fm-bucket/doc.txt\nx-id=PutObject\n')).toBe(true);
    expect(err.extra.StringToSign.startsWith('AWS4-HMAC-SHA256\n')).toBe(true);
    expect(err.extra.StringToSignBytes.startsWith('41 57 53 34 2d')).toBe(true);
    expect(Buffer.from(err.extra.CanonicalRequestBytes.replace(/ /g, ''), 'hex').toString()).toBe(
      err.extra.CanonicalRequest,
    );
  });

  it('path, query, signed header, date, secret → SignatureDoesNotMatch', () => {
    const amzDate = String(signed.headers['x-amz-date']);
    const oneSecondLater = formatAmzDate(
      Date.UTC(
        +amzDate.slice(0, 4),
        +amzDate.slice(4, 6) - 1,
        +amzDate.slice(6, 8),
        +amzDate.slice(9, 11),
        +amzDate.slice(11, 13),
        +amzDate.slice(13, 15),
      ) + 1000,
    );
    const cases: RequestInfo[] = [
      { ...signed, rawPath: '/fm-bucket/doc.txT' },
      { ...signed, rawQuery: 'x-id=GetObject' },
      withHeaders(signed, { 'content-type': 'text/html' }),
      withHeaders(signed, { 'x-amz-date': oneSecondLater }),
    ];
    for (const c of cases) expect(thrown(() => authenticate(c, opts)).code).toBe('SignatureDoesNotMatch');
    const wrongSecret = thrown(() =>
      authenticate(signed, {
        lookup: (id) => (id === USER.accessKeyId ? { ...USER, secretAccessKey: 'other' } : undefined),
      }),
    );
    expect(wrongSecret.code).toBe('SignatureDoesNotMatch');
  });

  it('clock skew beyond 15 minutes → RequestTimeTooSkewed with S3 extras', () => {
    const err = thrown(() => authenticate(signed, { lookup, now: () => Date.now() + 16 * 60_000 }));
    expect(err.code).toBe('RequestTimeTooSkewed');
    expect(err.status).toBe(403);
    expect(err.extra.RequestTime).toBe(signed.headers['x-amz-date']);
    expect(err.extra.ServerTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(err.extra.MaxAllowedSkewMilliseconds).toBe('900000');
    expect(authenticate(signed, { lookup, now: () => Date.now() + 14 * 60_000 }).identity).not.toBeNull();
  });

  it('unknown or inactive key → InvalidAccessKeyId', () => {
    const unknown = thrown(() => authenticate(signed, { lookup: () => undefined }));
    expect(unknown.code).toBe('InvalidAccessKeyId');
    expect(unknown.extra.AWSAccessKeyId).toBe(USER.accessKeyId);
    const auth = String(signed.headers.authorization).replace(USER.accessKeyId, RETIRED.accessKeyId);
    expect(thrown(() => authenticate(withHeaders(signed, { authorization: auth }), opts)).code).toBe(
      'InvalidAccessKeyId',
    );
  });

  it('x-amz-content-sha256 missing → InvalidRequest; not a hash → InvalidArgument', () => {
    const missing = thrown(() =>
      authenticate(withHeaders(signed, { 'x-amz-content-sha256': undefined }), opts),
    );
    expect(missing.code).toBe('InvalidRequest');
    expect(missing.message).toBe('Missing required header for this request: x-amz-content-sha256');
    const bad = thrown(() => authenticate(withHeaders(signed, { 'x-amz-content-sha256': 'abc' }), opts));
    expect(bad.code).toBe('InvalidArgument');
    expect(bad.message).toMatch(/^x-amz-content-sha256 must be UNSIGNED-PAYLOAD, /);
    expect(bad.extra).toEqual({ ArgumentName: 'x-amz-content-sha256', ArgumentValue: 'abc' });
  });

  it('an x-amz-* header outside SignedHeaders → AccessDenied naming it', () => {
    const err = thrown(() => authenticate(withHeaders(signed, { 'x-amz-meta-sneaky': '1' }), opts));
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toBe('There were headers present in the request which were not signed');
    expect(err.extra.HeadersNotSigned).toBe('x-amz-meta-sneaky');
  });

  it('malformed Authorization headers', () => {
    const auth = String(signed.headers.authorization);
    const cases: [string, string, RegExp][] = [
      [auth.replace(/, Signature=\w+/, ''), 'AuthorizationHeaderMalformed', /requires three components/],
      [
        auth.replace(/Credential=[^,]+/, 'Credential=AKID/2026/x'),
        'AuthorizationHeaderMalformed',
        /Credential is mal-formed/,
      ],
      [auth.replace('/s3/', '/iam/'), 'AuthorizationHeaderMalformed', /incorrect service "iam"/],
      [
        auth.replace('aws4_request', 'aws4_reqest'),
        'AuthorizationHeaderMalformed',
        /incorrect terminal "aws4_reqest"/,
      ],
      [
        auth.replace(/Credential=(\w+)\/\d{8}/, 'Credential=$1/20000101'),
        'AuthorizationHeaderMalformed',
        /Invalid credential date/,
      ],
      ['AWS AKIAFOCUSMATE0000001:c2lnbmF0dXJl', 'InvalidRequest', /Please use AWS4-HMAC-SHA256/],
      ['Bearer abc', 'InvalidArgument', /^Unsupported Authorization Type$/],
    ];
    for (const [value, code, message] of cases) {
      const err = thrown(() => authenticate(withHeaders(signed, { authorization: value }), opts));
      expect([err.code, err.message]).toEqual([code, expect.stringMatching(message)]);
    }
  });

  it('no valid date → AccessDenied', () => {
    const err = thrown(() => authenticate(withHeaders(signed, { 'x-amz-date': 'yesterday' }), opts));
    expect([err.code, err.message]).toEqual([
      'AccessDenied',
      'AWS authentication requires a valid Date or x-amz-date header',
    ]);
  });

  it('header and query auth together → InvalidArgument', () => {
    const err = thrown(() => authenticate({ ...signed, rawQuery: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' }, opts));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toMatch(/^Only one auth mechanism allowed/);
  });

  it('no credentials at all → the anonymous principal', () => {
    const auth = authenticate(
      { method: 'GET', rawPath: '/fm-bucket/x', rawQuery: '', headers: { host: 'h' } },
      opts,
    );
    expect(auth).toMatchObject({ identity: null, via: 'anonymous', payload: 'anonymous', signedHeaders: [] });
  });

  it('a presigned SigV2 URL is refused as unsupported', () => {
    const err = thrown(() =>
      authenticate(
        { method: 'GET', rawPath: '/b/k', rawQuery: 'AWSAccessKeyId=A&Expires=1&Signature=x', headers: {} },
        opts,
      ),
    );
    expect([err.code, err.message]).toEqual([
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    ]);
  });
});

describe('presigned URLs from @aws-sdk/s3-request-presigner', () => {
  async function presignedRequest(command: PutObjectCommand | GetObjectCommand, init?: RequestInit) {
    const url = await getSignedUrl(client, command, { expiresIn: 900 });
    const before = cap.requests.length;
    await fetch(url, init);
    expect(cap.requests.length).toBe(before + 1);
    return { url, r: cap.requests[before] };
  }

  it('accepts a presigned GET of an odd key', async () => {
    const { r } = await presignedRequest(new GetObjectCommand({ Bucket: 'fm-bucket', Key: ODD_KEY }));
    const auth = authenticate(requestInfo(r), opts);
    expect(auth).toMatchObject({ via: 'presigned', payload: 'unsigned', signedRegion: 'ap-northeast-2' });
    expect(auth.identity?.name).toBe(USER.name);
  });

  it('accepts a presigned PUT whose query names a checksum of the empty body; the upload is not failed by it', async () => {
    const body = Buffer.from('the real file contents');
    const { url, r } = await presignedRequest(
      new PutObjectCommand({ Bucket: 'fm-bucket', Key: 'upload.bin', ContentType: 'application/pdf' }),
      { method: 'PUT', body, headers: { 'content-type': 'application/pdf' } },
    );
    // What the SDK does since 3.729: CRC32 of an empty body hoisted into the URL.
    expect(url).toMatch(/x-amz-checksum-crc32=AAAAAA%3D%3D/i);
    const auth = authenticate(requestInfo(r), opts);
    expect(auth.payload).toBe('unsigned');
    const got = ingest(Readable.from([r.body]), { auth, headers: r.headers, maxBytes: 1000 });
    expect((await buffer(got.body)).equals(body)).toBe(true);
    expect(got.result().checksum).toBeUndefined();
  });

  describe('tampering and limits', () => {
    let base: RequestInfo;
    let dateMs: number;
    beforeAll(async () => {
      const { r } = await presignedRequest(new GetObjectCommand({ Bucket: 'fm-bucket', Key: 'a.txt' }));
      base = requestInfo(r);
      const m = /X-Amz-Date=(\d{8}T\d{6}Z)/.exec(base.rawQuery)!;
      const d = m[1];
      dateMs = Date.UTC(
        +d.slice(0, 4),
        +d.slice(4, 6) - 1,
        +d.slice(6, 8),
        +d.slice(9, 11),
        +d.slice(11, 13),
        +d.slice(13, 15),
      );
    });
    const q = (from: string | RegExp, to: string) => ({ ...base, rawQuery: base.rawQuery.replace(from, to) });

    it('expired → AccessDenied "Request has expired" with X-Amz-Expires, Expires, ServerTime', () => {
      const err = thrown(() => authenticate(base, { lookup, now: () => dateMs + 901_000 }));
      expect([err.code, err.message]).toEqual(['AccessDenied', 'Request has expired']);
      expect(err.extra['X-Amz-Expires']).toBe('900');
      expect(err.extra.Expires).toBe(new Date(dateMs + 900_000).toISOString().replace('.000', ''));
      expect(err.extra.ServerTime).toMatch(/Z$/);
      expect(authenticate(base, { lookup, now: () => dateMs + 899_000 }).via).toBe('presigned');
    });

    it('dated more than 15 minutes ahead → AccessDenied "Request is not yet valid"', () => {
      const err = thrown(() => authenticate(base, { lookup, now: () => dateMs - 16 * 60_000 }));
      expect([err.code, err.message]).toEqual(['AccessDenied', 'Request is not yet valid']);
    });

    it('X-Amz-Expires over a week → AuthorizationQueryParametersError', () => {
      const err = thrown(() => authenticate(q(/X-Amz-Expires=\d+/, 'X-Amz-Expires=604801'), opts));
      expect([err.code, err.message]).toEqual([
        'AuthorizationQueryParametersError',
        'X-Amz-Expires must be less than a week (in seconds) that is 604800',
      ]);
    });

    it('missing or malformed parameters → AuthorizationQueryParametersError', () => {
      for (const c of [
        q(/&?X-Amz-SignedHeaders=[^&]+/, ''),
        q(/X-Amz-Algorithm=[^&]+/, 'X-Amz-Algorithm=AWS4-HMAC-SHA512'),
        q(/X-Amz-Date=[^&]+/, 'X-Amz-Date=2024-01-01'),
        q(/X-Amz-Expires=\d+/, 'X-Amz-Expires=soon'),
        q(/X-Amz-Credential=[^&]+/, 'X-Amz-Credential=AKID%2F2024'),
      ]) {
        expect(thrown(() => authenticate(c, opts)).code).toBe('AuthorizationQueryParametersError');
      }
    });

    it('a changed parameter, path or signature → SignatureDoesNotMatch', () => {
      for (const c of [
        { ...base, rawQuery: `${base.rawQuery}&response-content-type=text%2Fhtml` },
        { ...base, rawPath: '/fm-bucket/b.txt' },
        // A different first hex digit (a fixed '0' would be no change for 1 signature in 16).
        q(/X-Amz-Signature=\w/, `X-Amz-Signature=${/X-Amz-Signature=0/.test(base.rawQuery) ? '1' : '0'}`),
      ]) {
        expect(thrown(() => authenticate(c, opts)).code).toBe('SignatureDoesNotMatch');
      }
    });

    it('an unsigned x-amz-* header sent with the URL → AccessDenied', () => {
      const err = thrown(() => authenticate(withHeaders(base, { 'x-amz-checksum-sha256': 'x' }), opts));
      expect(err.code).toBe('AccessDenied');
      expect(err.extra.HeadersNotSigned).toBe('x-amz-checksum-sha256');
    });

    it('the wrong region is worded for query auth', () => {
      const auth = authenticate(base, opts);
      const err = wrongRegionError(auth, 'us-east-1');
      expect(err.code).toBe('AuthorizationQueryParametersError');
      expect(err.message).toBe(
        "Error parsing the X-Amz-Credential parameter; the region 'ap-northeast-2' is wrong; expecting 'us-east-1'",
      );
      expect(err.extra.Region).toBe('us-east-1');
    });
  });
});

describe('@smithy/signature-v4 signed requests', () => {
  const signer = new SignatureV4({
    credentials,
    region: 'eu-west-1',
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
  });

  it('joins repeated headers with "," as SigV4 does, given rawHeaders', async () => {
    const s = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: 'localhost',
      path: '/b/k',
      query: {},
      headers: { host: 'localhost', 'x-amz-meta-tags': 'a,b', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const raw = Object.entries(s.headers).flatMap(([k, v]) =>
      k === 'x-amz-meta-tags' ? [k, 'a', k, ' b '] : [k, v],
    );
    const headers = { ...s.headers, 'x-amz-meta-tags': 'a,  b ' }; // Node's own joined form
    const auth = authenticate(
      { method: 'PUT', rawPath: '/b/k', rawQuery: '', headers, rawHeaders: raw },
      opts,
    );
    expect(auth.signedRegion).toBe('eu-west-1');
    const err = wrongRegionError(auth, 'ap-northeast-2');
    expect([err.code, err.message]).toEqual([
      'AuthorizationHeaderMalformed',
      "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'ap-northeast-2'",
    ]);
  });

  it('verifies a query sent with "+" for space and lower-case escapes', async () => {
    const s = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: 'localhost',
      path: '/b',
      query: { prefix: 'a b', marker: 'ü' },
      headers: { host: 'localhost', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const keyCache = createSigningKeyCache(2);
    const auth = authenticate(
      { method: 'GET', rawPath: '/b', rawQuery: 'prefix=a+b&marker=%c3%bc', headers: s.headers },
      { lookup, keyCache },
    );
    expect(auth.identity?.name).toBe(USER.name);
  });
});

describe("AWS's published SigV4 examples (S3 API reference)", () => {
  const example = {
    name: 'example',
    arn: 'arn:aws:iam::000000000000:user/example',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    root: false,
  };
  const exampleOpts = {
    lookup: (id: string) => (id === example.accessKeyId ? example : undefined),
    now: () => Date.UTC(2013, 4, 24, 0, 1, 0),
  };

  it('GET Object with a Range header (header auth, single chunk)', () => {
    const auth = authenticate(
      {
        method: 'GET',
        rawPath: '/test.txt',
        rawQuery: '',
        headers: {
          host: 'examplebucket.s3.amazonaws.com',
          range: 'bytes=0-9',
          'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          'x-amz-date': '20130524T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
        },
      },
      exampleOpts,
    );
    expect(auth.identity?.name).toBe('example');
  });

  it('presigned GET Object valid for 86400 seconds', () => {
    const info: RequestInfo = {
      method: 'GET',
      rawPath: '/test.txt',
      rawQuery:
        'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
      headers: { host: 'examplebucket.s3.amazonaws.com' },
    };
    expect(authenticate(info, exampleOpts)).toMatchObject({ via: 'presigned', payload: 'unsigned' });
    const late = thrown(() =>
      authenticate(info, { ...exampleOpts, now: () => Date.UTC(2013, 4, 25, 0, 0, 1) }),
    );
    expect(late.extra).toEqual({
      'X-Amz-Expires': '86400',
      Expires: '2013-05-25T00:00:00Z',
      ServerTime: '2013-05-25T00:00:01Z',
    });
  });
});
