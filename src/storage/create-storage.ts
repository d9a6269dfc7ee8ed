import { resolve } from 'node:path';
import type { StorageSettings } from '../config/settings.ts';
import { LocalStorage } from './local-storage.ts';
import { S3Storage } from './s3-storage.ts';
import type { Storage } from './storage.ts';

export interface CreateStorageOptions {
  /** Base for a relative STORAGE_LOCAL_PATH. @default process.cwd() */
  cwd?: string;
  /** SDK attempts per S3 request. @default 3 */
  maxAttempts?: number;
}

/** The storage STORAGE_TYPE selects, configured from the resolved settings. */
export function createStorage(settings: StorageSettings, options: CreateStorageOptions = {}): Storage {
  if (settings.type === 's3') {
    const { s3 } = settings;
    return new S3Storage({
      bucket: s3.bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: s3.forcePathStyle,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      maxFileSize: settings.maxFileSize,
      maxAttempts: options.maxAttempts,
      serverSideEncryption: s3.sse && { algorithm: s3.sse, kmsKeyId: s3.sseKmsKeyId },
    });
  }
  return new LocalStorage({
    root: resolve(options.cwd ?? process.cwd(), settings.localPath),
    maxFileSize: settings.maxFileSize,
  });
}
