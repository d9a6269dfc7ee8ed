// Presigned POST end to end: forms built by the AWS SDK's own createPresignedPost, sent as a
// browser sends them (fetch + FormData + Blob), against a server running handlePostObject.
import { createHash, randomBytes } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUCKET, type PostServer, REGION, s3Error, startPostServer, USER } from './harness.ts';

const TEN_MB = 10 * 1024 * 1024;
// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's form variable, sent literally.
const FILENAME = '${filename}';
let server: PostServer;

beforeAll(async () => {
  server = await startPostServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.objects.clear();
  server.traces.length = 0;
  server.skewMs = 0;
});

type PresignInput = Omit<Parameters<typeof createPresignedPost>[1], 'Bucket'>;

async function presign(
  input: PresignInput,
  creds = { accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey },
  region = REGION,
) {
  const client = new S3Client({ region, endpoint: server.url, forcePathStyle: true, credentials: creds });
  try {
    return await createPresignedPost(client, { Bucket: BUCKET, ...input });
  } finally {
    client.destroy();
  }
}

/** A browser form: the SDK's fields, then ours, then the file, then anything after it. */
function formOf(
  fields: Record<string, string>,
  file: { bytes: Uint8Array; name: string } | null,
  extra: [string, string][] = [],
  after: [string, string][] = [],
): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const [k, v] of extra) fd.append(k, v);
  if (file) fd.append('file', new Blob([file.bytes]), file.name);
  for (const [k, v] of after) fd.append(k, v);
  return fd;
}

const post = (url: string, body: FormData) => fetch(url, { method: 'POST', body, redirect: 'manual' });
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

const imagePolicy: PresignInput = {
  Key: `teams/42/profile/${FILENAME}`,
  Conditions: [
    ['content-length-range', 1, TEN_MB],
    ['starts-with', '$Content-Type', 'image/'],
    ['starts-with', '$x-amz-meta-uploader', ''],
  ],
};
const imageFields: [string, string][] = [
  ['Content-Type', 'image/png'],
  ['x-amz-meta-uploader', 'user-7'],
];

describe('an accepted upload', () => {
  it('stores the exact bytes under a key with the file name, with its content type and metadata (204)', async () => {
    const { url, fields } = await presign(imagePolicy);
    expect(url).toBe(`${server.url}/${BUCKET}`);
    const bytes = randomBytes(150_000);
    const res = await post(url, formOf(fields, { bytes, name: 'avatar.png' }, imageFields));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get('etag')).toBe(`"${md5(bytes)}"`);
    expect(res.headers.get('location')).toBe(`${server.url}/${BUCKET}/teams%2F42%2Fprofile%2Favatar.png`);
    const obj = server.objects.get('teams/42/profile/avatar.png');
    expect(obj?.bytes.equals(bytes)).toBe(true);
    expect(obj?.contentType).toBe('image/png');
    expect(obj?.metadata).toEqual({ uploader: 'user-7' });
    expect(obj?.identity?.name).toBe(USER.name);
  });

  it('answers 201 with a PostResponse document when success_action_status is 201', async () => {
    const { url, fields } = await presign({ ...imagePolicy, Fields: { success_action_status: '201' } });
    const bytes = randomBytes(1000);
    const res = await post(url, formOf(fields, { bytes, name: 'a b.png' }, imageFields));
    expect(res.status).toBe(201);
    const xml = await res.text();
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>' +
        `<Location>${server.url}/${BUCKET}/teams%2F42%2Fprofile%2Fa%20b.png</Location>` +
        `<Bucket>${BUCKET}</Bucket><Key>teams/42/profile/a b.png</Key>` +
        `<ETag>"${md5(bytes)}"</ETag></PostResponse>`,
    );
    expect(server.objects.get('teams/42/profile/a b.png')?.bytes.equals(bytes)).toBe(true);
  });

  it('redirects with 303 to success_action_redirect, adding bucket, key and etag', async () => {
    const redirect = 'https://app.focusmate.test/uploaded?from=web';
    const { url, fields } = await presign({ ...imagePolicy, Fields: { success_action_redirect: redirect } });
    const bytes = randomBytes(10);
    const res = await post(url, formOf(fields, { bytes, name: 'x.png' }, imageFields));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(
      `${redirect}&bucket=${BUCKET}&key=teams%2F42%2Fprofile%2Fx.png&etag=%22${md5(bytes)}%22`,
    );
  });

  it('ignores fields after the file, as S3 does', async () => {
    const { url, fields } = await presign(imagePolicy);
    const bytes = randomBytes(64);
    const after: [string, string][] = [
      ['x-amz-meta-late', 'never seen'],
      ['submit', 'Upload'],
    ];
    const res = await post(url, formOf(fields, { bytes, name: 'late.png' }, imageFields, after));
    expect(res.status).toBe(204);
    expect(server.objects.get('teams/42/profile/late.png')?.metadata).toEqual({ uploader: 'user-7' });
  });

  it('accepts a comma-separated Content-Type list only when every entry matches starts-with', async () => {
    const { url, fields } = await presign(imagePolicy);
    const ok = await post(
      url,
      formOf(fields, { bytes: randomBytes(5), name: 'l.png' }, [
        ['Content-Type', 'image/png,image/gif'],
        ['x-amz-meta-uploader', 'u'],
      ]),
    );
    expect(ok.status).toBe(204);
    const bad = await post(
      url,
      formOf(fields, { bytes: randomBytes(5), name: 'm.png' }, [
        ['Content-Type', 'image/png,text/plain'],
        ['x-amz-meta-uploader', 'u'],
      ]),
    );
    expect(bad.status).toBe(403);
  });
});

describe('refused uploads store nothing', () => {
  it('too large for content-length-range: EntityTooLarge, and the store saw its body fail', async () => {
    const { url, fields } = await presign(imagePolicy);
    const bytes = randomBytes(TEN_MB + 1);
    const res = await post(url, formOf(fields, { bytes, name: 'big.png' }, imageFields));
    expect(res.status).toBe(400);
    expect(await s3Error(res)).toMatchObject({
      Code: 'EntityTooLarge',
      Message: 'Your proposed upload exceeds the maximum allowed size',
      ProposedSize: String(TEN_MB + 1),
      MaxSizeAllowed: String(TEN_MB),
    });
    expect(server.objects.size).toBe(0);
    expect(server.traces.map((t) => t.outcome)).toEqual(['EntityTooLarge']);
  });

  it('too small: EntityTooSmall, checked when the file ends', async () => {
    const { url, fields } = await presign({
      Key: `docs/${FILENAME}`,
      Conditions: [['content-length-range', 1024, TEN_MB]],
    });
    const res = await post(url, formOf(fields, { bytes: randomBytes(10), name: 'tiny.pdf' }));
    expect(res.status).toBe(400);
    expect(await s3Error(res)).toMatchObject({
      Code: 'EntityTooSmall',
      Message: 'Your proposed upload is smaller than the minimum allowed size',
      ProposedSize: '10',
      MinSizeAllowed: '1024',
    });
    expect(server.objects.size).toBe(0);
    expect(server.traces.map((t) => t.outcome)).toEqual(['EntityTooSmall']);
  });

  it('a content type outside starts-with image/: AccessDenied naming the condition', async () => {
    const { url, fields } = await presign(imagePolicy);
    const res = await post(
      url,
      formOf(fields, { bytes: randomBytes(10), name: 'page.html' }, [
        ['Content-Type', 'text/html'],
        ['x-amz-meta-uploader', 'u'],
      ]),
    );
    expect(res.status).toBe(403);
    expect(await s3Error(res)).toMatchObject({
      Code: 'AccessDenied',
      Message:
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]',
    });
    expect(server.objects.size).toBe(0);
    expect(server.traces).toHaveLength(0);
  });

  it('an expired policy: AccessDenied "Policy expired."', async () => {
    const { url, fields } = await presign({ ...imagePolicy, Expires: 60 });
    server.skewMs = 61_000;
    const res = await post(url, formOf(fields, { bytes: randomBytes(10), name: 'late.png' }, imageFields));
    expect(res.status).toBe(403);
    expect(await s3Error(res)).toMatchObject({
      Code: 'AccessDenied',
      Message: 'Invalid according to Policy: Policy expired.',
    });
    expect(server.objects.size).toBe(0);
  });

  it('a tampered policy (a larger size allowed): SignatureDoesNotMatch over the policy as sent', async () => {
    const { url, fields } = await presign(imagePolicy);
    const doc = JSON.parse(Buffer.from(fields.Policy, 'base64').toString('utf8'));
    doc.conditions[0] = ['content-length-range', 1, 1024 * TEN_MB];
    const tampered = Buffer.from(JSON.stringify(doc)).toString('base64');
    const res = await post(
      url,
      formOf({ ...fields, Policy: tampered }, { bytes: randomBytes(10), name: 't.png' }, imageFields),
    );
    expect(res.status).toBe(403);
    const err = await s3Error(res);
    expect(err).toMatchObject({
      Code: 'SignatureDoesNotMatch',
      AWSAccessKeyId: USER.accessKeyId,
      StringToSign: tampered,
      SignatureProvided: fields['X-Amz-Signature'],
    });
    expect(Buffer.from(err.StringToSignBytes.replaceAll(' ', ''), 'hex').toString()).toBe(tampered);
    expect(server.objects.size).toBe(0);
  });

  it('an unknown access key: InvalidAccessKeyId', async () => {
    const { url, fields } = await presign(imagePolicy, {
      accessKeyId: 'AKIANOTAKNOWNKEY0000',
      secretAccessKey: USER.secretAccessKey,
    });
    const res = await post(url, formOf(fields, { bytes: randomBytes(10), name: 'u.png' }, imageFields));
    expect(res.status).toBe(403);
    expect(await s3Error(res)).toMatchObject({
      Code: 'InvalidAccessKeyId',
      AWSAccessKeyId: 'AKIANOTAKNOWNKEY0000',
    });
  });

  it('a field the policy does not name: AccessDenied "Extra input fields", x-ignore- fields exempt', async () => {
    const { url, fields } = await presign(imagePolicy);
    const file = { bytes: randomBytes(10), name: 'e.png' };
    const res = await post(url, formOf(fields, file, [...imageFields, ['x-amz-meta-note', 'hi']]));
    expect(res.status).toBe(403);
    expect(await s3Error(res)).toMatchObject({
      Code: 'AccessDenied',
      Message: 'Invalid according to Policy: Extra input fields: x-amz-meta-note',
    });
    const ignored = await post(url, formOf(fields, file, [...imageFields, ['x-ignore-dzuuid', 'abc']]));
    expect(ignored.status).toBe(204);
  });

  it('a key placed after the file is not seen: InvalidArgument naming key', async () => {
    const { url, fields } = await presign(imagePolicy);
    const { key, ...rest } = fields;
    const res = await post(
      url,
      formOf(rest, { bytes: randomBytes(10), name: 'k.png' }, imageFields, [['key', key]]),
    );
    expect(res.status).toBe(400);
    expect(await s3Error(res)).toMatchObject({
      Code: 'InvalidArgument',
      Message:
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      ArgumentName: 'key',
    });
  });

  it('a form without a file: InvalidArgument, exactly one file', async () => {
    const { url, fields } = await presign(imagePolicy);
    const res = await post(url, formOf(fields, null, imageFields));
    expect(res.status).toBe(400);
    expect(await s3Error(res)).toMatchObject({
      Code: 'InvalidArgument',
      Message: 'POST requires exactly one file upload per request.',
      ArgumentName: 'file',
      ArgumentValue: '0',
    });
  });

  it('a missing X-Amz-Signature: InvalidArgument naming it', async () => {
    const { url, fields } = await presign(imagePolicy);
    const { 'X-Amz-Signature': _sig, ...rest } = fields;
    const res = await post(url, formOf(rest, { bytes: randomBytes(10), name: 's.png' }, imageFields));
    expect(res.status).toBe(400);
    expect(await s3Error(res)).toMatchObject({
      Code: 'InvalidArgument',
      ArgumentName: 'X-Amz-Signature',
    });
  });

  it('a credential for another region: InvalidArgument with the expected Region', async () => {
    const { url, fields } = await presign(imagePolicy, undefined, 'us-east-1');
    const res = await post(url, formOf(fields, { bytes: randomBytes(10), name: 'r.png' }, imageFields));
    expect(res.status).toBe(400);
    expect(await s3Error(res)).toMatchObject({
      Code: 'InvalidArgument',
      Message: `the region 'us-east-1' is wrong; expecting '${REGION}'`,
      ArgumentName: 'X-Amz-Credential',
      Region: REGION,
    });
  });

  it('an unsigned form is anonymous: refused here as a private bucket refuses it', async () => {
    const res = await post(
      `${server.url}/${BUCKET}`,
      formOf({ key: 'public/x.txt' }, { bytes: randomBytes(10), name: 'x.txt' }),
    );
    expect(res.status).toBe(403);
    expect((await s3Error(res)).Code).toBe('AccessDenied');
    expect(server.objects.size).toBe(0);
  });
});

describe('malformed requests', () => {
  const raw = (contentType: string, body: string) =>
    fetch(`${server.url}/${BUCKET}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('a body that is not multipart/form-data: 412 PreconditionFailed with the Condition', async () => {
    const res = await raw('application/x-www-form-urlencoded', 'key=a');
    expect(res.status).toBe(412);
    expect(await s3Error(res)).toMatchObject({
      Code: 'PreconditionFailed',
      Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
    });
  });

  it('no boundary, a broken part header or a body cut inside a field: MalformedPOSTRequest', async () => {
    for (const [type, body] of [
      ['multipart/form-data', '--x\r\n\r\nv\r\n--x--'],
      ['multipart/form-data; boundary=x', '--x\r\nno colon here\r\n\r\nv\r\n--x--\r\n'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="key"\r\n\r\nv'],
    ]) {
      const res = await raw(type, body);
      expect(res.status, body).toBe(400);
      expect((await s3Error(res)).Code, body).toBe('MalformedPOSTRequest');
    }
    expect(server.objects.size).toBe(0);
  });
});

describe('large files stream', () => {
  it('a 20 MiB file reaches the store in pieces while the request is still arriving', async () => {
    const { url, fields } = await presign({
      Key: `chat/attachments/${FILENAME}`,
      Conditions: [['content-length-range', 0, 64 * 1024 * 1024]],
    });
    const bytes = randomBytes(20 * 1024 * 1024);
    const res = await post(url, formOf(fields, { bytes, name: 'video.mp4' }));
    expect(res.status).toBe(204);
    expect(server.objects.get('chat/attachments/video.mp4')?.etag).toBe(md5(bytes));
    const [trace] = server.traces;
    expect(trace.requestEndedAtFirstChunk).toBe(false);
    expect(trace.chunks).toBeGreaterThan(20);
    expect(trace.maxChunk).toBeLessThanOrEqual(1024 * 1024);
  });

  it("the server's own cap applies when the policy allows more", async () => {
    await using small = await startPostServer({ maxBytes: 1024 * 1024 });
    const client = new S3Client({
      region: REGION,
      endpoint: small.url,
      forcePathStyle: true,
      credentials: { accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey },
    });
    const { url, fields } = await createPresignedPost(client, {
      Bucket: BUCKET,
      Key: `big/${FILENAME}`,
      Conditions: [['content-length-range', 0, TEN_MB]],
    });
    client.destroy();
    const res = await post(url, formOf(fields, { bytes: randomBytes(2 * 1024 * 1024), name: 'b.bin' }));
    expect(res.status).toBe(400);
    expect(await s3Error(res)).toMatchObject({
      Code: 'EntityTooLarge',
      ProposedSize: String(2 * 1024 * 1024),
      MaxSizeAllowed: String(1024 * 1024),
    });
    expect(small.objects.size).toBe(0);
  });
});
