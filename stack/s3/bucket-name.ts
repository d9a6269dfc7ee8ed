// General-purpose bucket naming rules, as AWS documents them
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
import { S3Error } from './errors.ts';

export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'Bucket name must be between 3 and 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name))
    return 'Bucket name can only contain lowercase letters, numbers, dots and hyphens';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name))
    return 'Bucket name must begin and end with a letter or number';
  if (name.includes('..')) return 'Bucket name must not contain two adjacent periods';
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name))
    return 'Bucket name must not be formatted as an IP address';
  if (name.startsWith('xn--') || name.startsWith('sthree-') || name.startsWith('amzn-s3-demo-')) {
    return 'Bucket name must not start with a reserved prefix';
  }
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name))
    return 'Bucket name must not end with a reserved suffix';
  return undefined;
}

export function assertBucketName(name: string): void {
  if (bucketNameProblem(name)) throw new S3Error('InvalidBucketName', undefined, { BucketName: name });
}
