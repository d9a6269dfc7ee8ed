// Lifecycle rules through the server: the configuration API as S3 answers it, and the rules
// applied against the handle's clock (advanced by days, never waited for).
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadObjectCommand,
  type LifecycleRule,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../stack/s3/lifecycle/index.ts';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { s3Error } from '../contract/s3-contract.ts';
import { client, ROOT } from './fixtures.ts';
import { signedSend } from './raw-request.ts';

let server: S3Server;
let s3: S3Client;
let n = 0;

beforeAll(async () => {
  server = await startS3Server({ identities: [ROOT], lifecycleIntervalMs: 0 });
  s3 = client(server.url);
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
});

async function bucket(versioned = false): Promise<string> {
  const b = `lc-${++n}`;
  await s3.send(new CreateBucketCommand({ Bucket: b }));
  if (versioned)
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  return b;
}

/** A bucket (versioned if asked) with these lifecycle rules put through the API. */
async function bucketWithRules(Rules: LifecycleRule[], versioned = false): Promise<string> {
  const b = await bucket(versioned);
  await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: b, LifecycleConfiguration: { Rules } }));
  return b;
}

describe('lifecycle configuration', () => {
  it('stores, returns and deletes rules; a bucket without rules answers NoSuchLifecycleConfiguration', async () => {
    const b = await bucket();
    const missing = await s3Error(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })));
    expect(missing.name).toBe('NoSuchLifecycleConfiguration');
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: b,
        LifecycleConfiguration: {
          Rules: [
            { ID: 'chat-30d', Status: 'Enabled', Filter: { Prefix: 'chat/' }, Expiration: { Days: 30 } },
            {
              ID: 'stale-uploads',
              Status: 'Enabled',
              Filter: {},
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
      }),
    );
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }));
    expect(got.Rules?.map((r) => [r.ID, r.Status, r.Filter?.Prefix, r.Expiration?.Days])).toEqual([
      ['chat-30d', 'Enabled', 'chat/', 30],
      ['stale-uploads', 'Enabled', undefined, undefined],
    ]);
    expect(got.Rules?.[1]?.AbortIncompleteMultipartUpload?.DaysAfterInitiation).toBe(7);
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: b }));
    const gone = await s3Error(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })));
    expect(gone.name).toBe('NoSuchLifecycleConfiguration');
  });

  it('requires Content-MD5 or a checksum on the rules, as S3 does', async () => {
    const b = await bucket();
    const xml =
      '<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>chat/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>';
    const bare = await signedSend(server.url, {
      method: 'PUT',
      path: `/${b}?lifecycle`,
      identity: ROOT,
      body: xml,
    });
    expect(bare.status).toBe(400);
    expect(bare.body).toContain('<Code>InvalidRequest</Code>');
    expect(bare.body).toContain('Missing required header for this request: Content-MD5');
    const md5 = createHash('md5').update(xml).digest('base64');
    const ok = await signedSend(server.url, {
      method: 'PUT',
      path: `/${b}?lifecycle`,
      identity: ROOT,
      body: xml,
      headers: { 'content-md5': md5 },
    });
    expect(ok.status).toBe(200);
  });

  it('refuses an invalid rule with the error S3 gives, keeping the previous rules', async () => {
    const b = await bucket();
    const bad = await s3Error(() =>
      s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: b,
          LifecycleConfiguration: { Rules: [{ ID: 'nothing', Status: 'Enabled', Filter: { Prefix: '' } }] },
        }),
      ),
    );
    expect(bad.$metadata.httpStatusCode).toBe(400);
    expect(bad.message).toBe('At least one action needs to be specified in a rule');
    const missing = await s3Error(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })));
    expect(missing.name).toBe('NoSuchLifecycleConfiguration');
  });
});

describe('lifecycle rules applied against the handle clock', () => {
  it('expires matching objects only once their day has come, and says when on HEAD', async () => {
    const b = await bucketWithRules([
      { ID: 'chat-30d', Status: 'Enabled', Filter: { Prefix: 'chat/' }, Expiration: { Days: 30 } },
    ]);
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'chat/old.txt', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'teams/keep.png', Body: 'y' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'chat/old.txt' }));
    expect(head.Expiration).toMatch(
      /^expiry-date="[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} 00:00:00 GMT", rule-id="chat-30d"$/,
    );
    const due = Date.parse(/expiry-date="([^"]+)"/.exec(head.Expiration!)![1]!);
    // S3 rounds creation + 30 days up to the next midnight UTC.
    expect(due - server.lifecycle.now()).toBeGreaterThan(30 * DAY_MS - 1000);
    expect(due - server.lifecycle.now()).toBeLessThanOrEqual(31 * DAY_MS);

    expect(await server.lifecycle.advance(due - server.lifecycle.now() - 1000)).toEqual([]);
    expect(server.headObject(b, 'chat/old.txt')).toBeDefined();
    const removed = await server.lifecycle.advance(1000);
    expect(removed).toEqual([{ bucket: b, type: 'expire-current', key: 'chat/old.txt', ruleId: 'chat-30d' }]);
    expect(server.headObject(b, 'chat/old.txt')).toBeUndefined();
    expect(server.headObject(b, 'teams/keep.png')).toBeDefined();
  });

  it('aborts a stale multipart upload, announcing the abort date when it starts', async () => {
    const b = await bucketWithRules([
      {
        ID: 'stale',
        Status: 'Enabled',
        Filter: {},
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
    const started = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'chat/big.bin' }));
    expect(started.AbortRuleId).toBe('stale');
    expect(started.AbortDate!.getTime() - server.lifecycle.now()).toBeGreaterThan(7 * DAY_MS - 1000);
    expect(await server.lifecycle.advance(6 * DAY_MS)).toEqual([]);
    const actions = await server.lifecycle.advance(2 * DAY_MS);
    expect(actions).toEqual([
      { bucket: b, type: 'abort-upload', key: 'chat/big.bin', uploadId: started.UploadId, ruleId: 'stale' },
    ]);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads).toBeUndefined();
  });

  it('removes noncurrent versions after their days, then the delete marker left alone', async () => {
    const b = await bucketWithRules(
      [
        {
          ID: 'old-versions',
          Status: 'Enabled',
          Filter: { Prefix: '' },
          NoncurrentVersionExpiration: { NoncurrentDays: 10 },
          Expiration: { ExpiredObjectDeleteMarker: true },
        },
      ],
      true,
    );
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'doc', Body: '1' }))).VersionId;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'doc', Body: '2' }))).VersionId;
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'doc' }))).VersionId;
    expect(await server.lifecycle.advance(9 * DAY_MS)).toEqual([]);
    const first = await server.lifecycle.advance(2 * DAY_MS);
    expect(first.map((a) => [a.type, 'versionId' in a ? a.versionId : ''])).toEqual([
      ['delete-version', v2],
      ['delete-version', v1],
    ]);
    // The marker is now the only version left: an expired delete marker, removed next pass.
    const second = await server.lifecycle.run();
    expect(second.map((a) => [a.type, 'versionId' in a ? a.versionId : ''])).toEqual([
      ['delete-marker', marker],
    ]);
    const left = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    expect(left.Versions).toBeUndefined();
    expect(left.DeleteMarkers).toBeUndefined();
  });

  it('expires the current version of a versioned bucket by adding a delete marker', async () => {
    const b = await bucketWithRules(
      [{ ID: 'exp', Status: 'Enabled', Filter: { Prefix: 'chat/' }, Expiration: { Days: 1 } }],
      true,
    );
    const v = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'chat/a', Body: 'a' }))).VersionId;
    const actions = await server.lifecycle.advance(3 * DAY_MS);
    expect(actions.map((a) => a.type)).toEqual(['expire-current']);
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    expect(listed.Versions?.map((x) => [x.VersionId, x.IsLatest])).toEqual([[v, false]]);
    expect(listed.DeleteMarkers?.map((x) => x.IsLatest)).toEqual([true]);
  });
});
