// The app's S3 client settings (src/storage/s3-storage.ts), with the two changes a diagnosis
// needs: one attempt per request (the first answer is the one to explain) and a request timeout
// that fails the request. The SDK's requestTimeout alone only logs a warning and keeps waiting.
import { S3Client } from '@aws-sdk/client-s3';
import type { StorageSettings } from '../../src/config/index.ts';
import { S3Storage } from '../../src/storage/index.ts';

export function doctorS3Client(settings: StorageSettings, timeoutMs: number): S3Client {
  const s3 = settings.s3;
  return new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
}

/** The app's S3 storage adapter over the doctor's client. */
export function doctorStorage(settings: StorageSettings, client: S3Client): S3Storage {
  const s3 = settings.s3;
  return new S3Storage({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    maxFileSize: settings.maxFileSize,
    client,
  });
}
