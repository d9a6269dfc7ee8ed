// Reads what an engine stores, as the root identity, through the S3 API: the same code
// inspects the embedded engine and MinIO. Where the engine reports object events (the
// embedded one), waitForObject resolves on the event instead of asking again.

import { setTimeout as delay } from 'node:timers/promises';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Credentials, EngineObjectEvent } from '../engines/types.ts';

export interface InspectedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface ObjectContent {
  body: Buffer;
  contentType: string | undefined;
  metadata: Record<string, string>;
  etag: string;
  size: number;
}

export interface S3InspectorOptions {
  url: string;
  region: string;
  root: Credentials;
  /** Object events from the engine, when it has them. */
  subscribe?: (listener: (event: EngineObjectEvent) => void) => () => void;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

export class S3Inspector {
  readonly #client: S3Client;
  readonly #subscribe: S3InspectorOptions['subscribe'];

  constructor(options: S3InspectorOptions) {
    this.#client = new S3Client({
      endpoint: options.url,
      region: options.region,
      forcePathStyle: true,
      credentials: options.root,
    });
    this.#subscribe = options.subscribe;
  }

  async listBuckets(): Promise<string[]> {
    const out = await this.#client.send(new ListBucketsCommand({}));
    return (out.Buckets ?? []).map((b) => b.Name ?? '');
  }

  /** Every object under the prefix, in key order (all pages). */
  async listObjects(bucket: string, prefix?: string): Promise<InspectedObject[]> {
    const objects: InspectedObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        objects.push({
          key: o.Key ?? '',
          size: o.Size ?? 0,
          etag: o.ETag ?? '',
          lastModified: o.LastModified ?? new Date(0),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async exists(bucket: string, key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** The object's bytes and metadata, or undefined when there is no such key. */
  async getObject(bucket: string, key: string): Promise<ObjectContent | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from(await out.Body!.transformToByteArray());
      return {
        body,
        contentType: out.ContentType,
        metadata: out.Metadata ?? {},
        etag: out.ETag ?? '',
        size: body.length,
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Resolves when the object exists. With engine events it waits for the event; otherwise it
   * asks with a backoff (MinIO), bounded by `timeout`.
   */
  async waitForObject(
    bucket: string,
    key: string,
    options: { timeout?: number } = {},
  ): Promise<ObjectContent> {
    const timeout = options.timeout ?? 5000;
    const signal = AbortSignal.timeout(timeout);
    let arrived: Promise<void> | undefined;
    let off: (() => void) | undefined;
    if (this.#subscribe) {
      arrived = new Promise((resolve) => {
        off = this.#subscribe?.((e) => {
          if (e.type === 'object-created' && e.bucket === bucket && e.key === key) resolve();
        });
      });
    }
    try {
      let interval = 20;
      for (;;) {
        const found = await this.getObject(bucket, key);
        if (found) return found;
        const waitOn: Promise<unknown>[] = [
          new Promise((_, reject) =>
            signal.addEventListener('abort', () =>
              reject(new Error(`s3://${bucket}/${key} did not appear within ${timeout} ms`)),
            ),
          ),
        ];
        waitOn.push(arrived ?? delay(interval));
        await Promise.race(waitOn);
        interval = Math.min(interval * 2, 200);
      }
    } finally {
      off?.();
    }
  }

  /** Multipart uploads started and neither completed nor aborted (invisible in listings, billed on AWS). */
  async listMultipartUploads(bucket: string): Promise<{ key: string; uploadId: string }[]> {
    const out = await this.#client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return (out.Uploads ?? []).map((u) => ({ key: u.Key ?? '', uploadId: u.UploadId ?? '' }));
  }

  /** Deletes every object and aborts every multipart upload in the bucket. */
  /** Removes every version and delete marker (a plain delete would only hide objects in a versioned bucket). */
  async emptyBucket(bucket: string): Promise<void> {
    for (;;) {
      const page = await this.#client.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
      const versions = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
        Key: v.Key ?? '',
        VersionId: v.VersionId,
      }));
      if (versions.length === 0) break;
      await this.#client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: versions, Quiet: true } }),
      );
    }
    const uploads = await this.#client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    for (const u of uploads.Uploads ?? []) {
      await this.#client.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
      );
    }
  }

  close(): void {
    this.#client.destroy();
  }
}
