// AWS's own SigV4 POST example ("Example: Browser-Based Upload using HTTP POST (Using AWS
// Signature Version 4)"): its policy, base64 and signature are fixed by the documentation, so
// verifying them is not circular. The handler runs without a socket, at the example's date.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isS3Error } from '../../../stack/s3/errors.ts';
import type { Identity } from '../../../stack/s3/identity.ts';
import { handlePostObject, type PostObjectInput } from '../../../stack/s3/post-object/index.ts';
import { BOUNDARY, chunked, multipartBody, type Part } from './form-body.ts';

const EXAMPLE_USER: Identity = {
  name: 'example',
  arn: 'arn:aws:iam::000000000000:user/example',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  root: false,
};
const POLICY =
  'eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9';
const SIGNATURE = '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e';
const REDIRECT = 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html';
const BUCKET = 'sigv4examplebucket';
const DAY = Date.UTC(2015, 11, 29, 12);

// The example form, in its order: fields, the file, then the submit button S3 ignores.
const exampleFields = (): Part[] => [
  // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's form variable, sent literally.
  { name: 'key', value: 'user/user1/${filename}' },
  { name: 'acl', value: 'public-read' },
  { name: 'success_action_redirect', value: REDIRECT },
  { name: 'Content-Type', value: 'image/jpeg' },
  { name: 'x-amz-meta-uuid', value: '14365123651274' },
  { name: 'x-amz-server-side-encryption', value: 'AES256' },
  { name: 'X-Amz-Credential', value: 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request' },
  { name: 'X-Amz-Algorithm', value: 'AWS4-HMAC-SHA256' },
  { name: 'X-Amz-Date', value: '20151229T000000Z' },
  { name: 'x-amz-meta-tag', value: '' },
  { name: 'Policy', value: POLICY },
  { name: 'X-Amz-Signature', value: SIGNATURE },
];
const PHOTO = Buffer.from('not really a jpeg, but S3 does not look');

interface Run {
  status?: number;
  headers?: Record<string, string>;
  code?: string;
  message?: string;
  extra?: Record<string, string>;
  stored: (PostObjectInput & { bytes: Buffer })[];
}

async function run(
  fields: Part[],
  opts: {
    now?: number;
    secret?: string;
    chunk?: number;
    file?: Buffer;
    raw?: Buffer;
    anonymous?: boolean;
  } = {},
): Promise<Run> {
  const body =
    opts.raw ??
    multipartBody([
      ...fields,
      { name: 'file', value: opts.file ?? PHOTO, filename: 'C:\\Users\\mary\\photo.jpg' },
      { name: 'submit', value: 'Upload to Amazon S3' },
    ]);
  const stored: Run['stored'] = [];
  const user = { ...EXAMPLE_USER, secretAccessKey: opts.secret ?? EXAMPLE_USER.secretAccessKey };
  try {
    const out = await handlePostObject(
      {
        bucket: BUCKET,
        headers: {
          host: 'sigv4examplebucket.s3.amazonaws.com',
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
        body: chunked(body, opts.chunk ?? 7),
        now: opts.now ?? DAY,
        maxBytes: 5 * 1024 ** 3,
        region: 'us-east-1',
        bucketUrl: 'http://sigv4examplebucket.s3.amazonaws.com',
      },
      {
        lookup: (id) => (id === user.accessKeyId ? user : undefined),
        store: async (input) => {
          const parts: Buffer[] = [];
          for await (const c of input.body as Readable) parts.push(c as Buffer);
          const bytes = Buffer.concat(parts);
          stored.push({
            key: input.key,
            contentType: input.contentType,
            metadata: input.metadata,
            headers: input.headers,
            bytes,
          });
          return { etag: createHash('md5').update(bytes).digest('hex'), size: bytes.length };
        },
      },
    );
    return { status: out.status, headers: out.headers, stored };
  } catch (err) {
    if (!isS3Error(err)) throw err;
    return { code: err.code, message: err.message, extra: err.extra, stored };
  }
}

describe("AWS's SigV4 POST example", () => {
  it('verifies with the documented signature and redirects as the form asks', async () => {
    const r = await run(exampleFields());
    expect(r.code).toBeUndefined();
    expect(r.status).toBe(303);
    const etag = createHash('md5').update(PHOTO).digest('hex');
    expect(r.headers?.Location).toBe(
      `${REDIRECT}?bucket=${BUCKET}&key=user%2Fuser1%2Fphoto.jpg&etag=%22${etag}%22`,
    );
    expect(r.stored).toEqual([
      {
        key: 'user/user1/photo.jpg',
        contentType: 'image/jpeg',
        metadata: { uuid: '14365123651274', tag: '' },
        headers: { 'x-amz-acl': 'public-read', 'x-amz-server-side-encryption': 'AES256' },
        bytes: PHOTO,
      },
    ]);
  });

  it('parses the same form delivered one byte at a time', async () => {
    const r = await run(exampleFields(), { chunk: 1 });
    expect(r.status).toBe(303);
    expect(r.stored[0]?.bytes).toEqual(PHOTO);
  });

  it('is expired a moment after its expiration', async () => {
    const r = await run(exampleFields(), { now: Date.UTC(2015, 11, 30, 12, 0, 1) });
    expect([r.code, r.message]).toEqual(['AccessDenied', 'Invalid according to Policy: Policy expired.']);
  });

  it('does not match under another secret', async () => {
    const r = await run(exampleFields(), { secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ' });
    expect(r.code).toBe('SignatureDoesNotMatch');
    expect(r.extra).toMatchObject({
      AWSAccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      StringToSign: POLICY,
      SignatureProvided: SIGNATURE,
    });
  });

  const replace = (name: string, value: string | null) =>
    exampleFields().flatMap((f) => (f.name !== name ? [f] : value === null ? [] : [{ ...f, value }]));

  it.each([
    ['key', 'user/user2/photo.jpg', '["starts-with", "$key", "user/user1/"]'],
    ['Content-Type', 'text/plain', '["starts-with", "$Content-Type", "image/"]'],
    ['acl', 'private', '["eq", "$acl", "public-read"]'],
    ['x-amz-meta-uuid', '1', '["eq", "$x-amz-meta-uuid", "14365123651274"]'],
    ['x-amz-meta-tag', null, '["starts-with", "$x-amz-meta-tag", ""]'],
  ])('refuses %s = %j with the condition it fails', async (name, value, condition) => {
    const r = await run(replace(name, value));
    expect([r.code, r.message]).toEqual([
      'AccessDenied',
      `Invalid according to Policy: Policy Condition failed: ${condition}`,
    ]);
    expect(r.stored).toEqual([]);
  });

  it('names a missing SigV4 field', async () => {
    const r = await run(replace('X-Amz-Algorithm', null));
    expect([r.code, r.extra?.ArgumentName]).toEqual(['InvalidArgument', 'X-Amz-Algorithm']);
  });

  it('errors the store body when the client vanishes inside the file, and stores nothing', async () => {
    const full = multipartBody([
      ...exampleFields(),
      { name: 'file', value: Buffer.alloc(5000, 1), filename: 'p.jpg' },
    ]);
    const r = await run([], { raw: full.subarray(0, full.length - 1000) });
    expect(r.code).toBe('MalformedPOSTRequest');
    expect(r.stored).toEqual([]);
  });
});
