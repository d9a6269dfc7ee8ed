// ListObjectVersions' wire order: a key's versions and delete markers interleaved newest first,
// which the SDK's two lists lose and the storage adapter reads back from the raw XML.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordWireOrder, wireKinds, zipWireOrder } from '../../src/storage/s3-version-order.ts';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { client, ROOT } from '../s3/fixtures.ts';

describe('wireKinds and zipWireOrder', () => {
  it('reads the entry kinds in document order, whatever the keys hold', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix>
<Version><Key>a&amp;b &#39;&lt;Version&gt;</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest></Version>
<DeleteMarker><Key>a&amp;b &#39;&lt;Version&gt;</Key><VersionId>m2</VersionId><IsLatest>false</IsLatest></DeleteMarker>
<Version><Key>a&amp;b &#39;&lt;Version&gt;</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest></Version>
<DeleteMarker><Key>0123&#xD;</Key><VersionId>null</VersionId><IsLatest>true</IsLatest></DeleteMarker>
<VersionIdMarker></VersionIdMarker></ListVersionsResult>`;
    const kinds = wireKinds(xml);
    expect(kinds).toEqual(['Version', 'DeleteMarker', 'Version', 'DeleteMarker']);
    expect(zipWireOrder(['v3', 'v1'], ['m2', 'null'], kinds)).toEqual(['v3', 'm2', 'v1', 'null']);
  });

  it('gives up (undefined) when the kinds do not fit the lists, or are unknown', () => {
    expect(wireKinds('<Error><Code>AccessDenied</Code></Error>')).toEqual([]);
    expect(zipWireOrder(['v'], [], ['DeleteMarker'])).toBeUndefined();
    expect(zipWireOrder(['v'], ['m'], undefined)).toBeUndefined();
  });
});

describe('recordWireOrder on a real response', () => {
  let server: S3Server;
  beforeAll(async () => {
    server = await startS3Server({ identities: [ROOT] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('records the order and leaves the SDK output intact', async () => {
    const s3 = client(server.url);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'order' }));
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: 'order', VersioningConfiguration: { Status: 'Enabled' } }),
      );
      const v1 = (await s3.send(new PutObjectCommand({ Bucket: 'order', Key: 'k', Body: '1' }))).VersionId!;
      const m = (await s3.send(new DeleteObjectCommand({ Bucket: 'order', Key: 'k' }))).VersionId!;
      const v3 = (await s3.send(new PutObjectCommand({ Bucket: 'order', Key: 'k', Body: '3' }))).VersionId!;
      const command = new ListObjectVersionsCommand({ Bucket: 'order' });
      const order = recordWireOrder(command);
      const out = await s3.send(command);
      expect(order()).toEqual(['Version', 'DeleteMarker', 'Version']);
      expect(zipWireOrder(out.Versions!, out.DeleteMarkers!, order())?.map((e) => e.VersionId)).toEqual([
        v3,
        m,
        v1,
      ]);
      expect(out.Versions?.map((v) => v.VersionId)).toEqual([v3, v1]);
      expect(out.DeleteMarkers?.map((d) => d.VersionId)).toEqual([m]);
    } finally {
      s3.destroy();
    }
  });
});
