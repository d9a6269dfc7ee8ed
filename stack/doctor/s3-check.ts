// The S3 half of the doctor, the guide's "S3 연결 테스트" done right: HeadBucket (exists, and in
// AWS_S3_REGION), then a probe object put, read back, listed and deleted through the app's own
// storage adapter (always removed), then the operations the least-privilege user must NOT be
// able to do, and whether the bucket policy exposes private files.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  GetBucketPolicyCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Settings } from '../../src/config/index.ts';
import { mapS3Error, type S3Storage, StorageError } from '../../src/storage/index.ts';
import { loadStackPolicies } from '../policies/load-stack-policies.ts';
import { type Check, failed, passed, skipped, warning } from './check.ts';
import { GUIDE_STEPS } from './guide-sections.ts';
import { policyExposureCheck } from './policy-exposure.ts';
import { doctorS3Client, doctorStorage } from './s3-client.ts';
import { diagnoseStorageError, isLocalEndpoint } from './s3-diagnosis.ts';

export interface S3CheckOptions {
  /** Bound on each request. */
  timeoutMs: number;
}

/** Where the probe objects go; nothing of the app's lives there. */
export const PROBE_PREFIX = 'doctor-probe/';

interface SdkError extends Error {
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

function asStorageError(error: unknown, s3: Settings['storage']['s3'], key?: string): StorageError {
  return error instanceof StorageError
    ? error
    : mapS3Error(error, { bucket: s3.bucket, key, region: s3.region });
}

async function bucketCheck(
  client: S3Client,
  storage: S3Storage,
  s3: Settings['storage']['s3'],
): Promise<Check> {
  const at = s3.endpoint ? ` at ${s3.endpoint}` : '';
  try {
    const out = await client.send(new HeadBucketCommand({ Bucket: s3.bucket }));
    const region = out.BucketRegion ?? s3.region;
    if (region !== s3.region) {
      // The request went through, so this engine does not enforce regions; AWS would refuse it.
      return warning(
        's3.bucket',
        `HeadBucket: s3://${s3.bucket} exists${at}, but reports region ${region} while AWS_S3_REGION=${s3.region}`,
        'this S3 engine accepted a request signed for another region; AWS would answer with a region error',
        `set AWS_S3_REGION=${region}`,
      );
    }
    return {
      ...passed('s3.bucket', `HeadBucket: s3://${s3.bucket} exists in ${region}${at}`),
      guideStep: GUIDE_STEPS.s3Connection,
    };
  } catch (raw) {
    const error = raw as SdkError;
    const actual = error.$response?.headers?.['x-amz-bucket-region'];
    if (actual && actual !== s3.region) {
      return failed('s3.bucket', {
        detail: `HeadBucket: s3://${s3.bucket} is in ${actual}, but AWS_S3_REGION=${s3.region} (HTTP ${error.$metadata?.httpStatusCode}, x-amz-bucket-region: ${actual})`,
        code: error.name === 'Unknown' || !error.name ? String(error.$metadata?.httpStatusCode) : error.name,
        appCode: 'REGION_MISMATCH',
        cause: `region mismatch: the bucket was created in ${actual}`,
        fix: `set AWS_S3_REGION=${actual}`,
        section: 's3-bucket-not-found',
      });
    }
    // A HEAD answer has no body, so no S3 error code: ask again with a GET, whose answer says
    // which (SignatureDoesNotMatch, InvalidAccessKeyId, AccessDenied, NoSuchBucket...).
    let mapped = asStorageError(raw, s3);
    if (mapped.code !== 'CONNECTION_FAILED') {
      mapped = await storage.list(PROBE_PREFIX).then(
        () => mapped,
        (again: unknown) => asStorageError(again, s3),
      );
    }
    if (mapped.code === 'UNKNOWN' && error.$metadata?.httpStatusCode === 404) {
      mapped = new StorageError('BUCKET_NOT_FOUND', `s3://${s3.bucket}`, {
        httpStatus: 404,
        s3Code: 'NoSuchBucket',
      });
    }
    return failed('s3.bucket', diagnoseStorageError(s3, mapped, 's3:ListBucket', 'HeadBucket'));
  }
}

/** Reads a body, giving up (and destroying it) when it stalls past the deadline. */
async function readAll(body: Readable, timeoutMs: number): Promise<Buffer> {
  const timer = setTimeout(
    () =>
      body.destroy(Object.assign(new Error(`the body stalled for ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    timeoutMs,
  );
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(timer);
  }
}

/** Anonymous GET of the probe: a 200 means objects outside the public prefix are world-readable. */
async function anonymousRead(url: string, timeoutMs: number): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return undefined;
  }
}

interface ProbeOutcome {
  checks: Check[];
  /** HTTP status of an anonymous GET of the probe, when it was stored. */
  anonymousStatus?: number;
  probeUrl?: string;
}

async function probeObject(
  storage: S3Storage,
  s3: Settings['storage']['s3'],
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const key = `${PROBE_PREFIX}${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.txt`;
  const body = Buffer.from(`FocusMate doctor probe; safe to delete (${key})\n`);
  const checks: Check[] = [];
  const outcome: ProbeOutcome = { checks };
  const uri = `s3://${s3.bucket}/${key}`;
  const fail = (id: string, error: unknown, action: string, operation?: string) =>
    checks.push(failed(id, diagnoseStorageError(s3, asStorageError(error, s3, key), action, operation)));
  let stored: 'no' | 'yes' | 'maybe' = 'no';
  try {
    try {
      await storage.put(key, body, { contentType: 'text/plain; charset=utf-8' });
      stored = 'yes';
      checks.push(passed('s3.put', `PutObject ${uri} (${body.length} bytes)`));
    } catch (error) {
      // A timeout may have stored it all the same: the cleanup below tries either way.
      stored = asStorageError(error, s3, key).code === 'CONNECTION_FAILED' ? 'maybe' : 'no';
      fail('s3.put', error, 's3:PutObject');
    }
    if (stored === 'yes') {
      try {
        const info = await storage.head(key);
        if (info.size !== body.length)
          throw new Error(`HeadObject says ${info.size} bytes, ${body.length} were put`);
        checks.push(passed('s3.head', `HeadObject: ${info.size} bytes, ${info.contentType}`));
      } catch (error) {
        if (error instanceof StorageError) fail('s3.head', error, 's3:GetObject', 'HeadObject');
        else
          checks.push(
            failed('s3.head', { detail: (error as Error).message, cause: 'the store changed the object' }),
          );
      }
      try {
        const got = await storage.get(key);
        const read = await readAll(got.body, timeoutMs);
        if (!read.equals(body)) throw new Error('GetObject returned other bytes than were put');
        checks.push(passed('s3.get', `GetObject: the same ${read.length} bytes came back`));
      } catch (error) {
        if (error instanceof StorageError) fail('s3.get', error, 's3:GetObject');
        else
          checks.push(
            failed('s3.get', { detail: (error as Error).message, cause: 'the store changed the object' }),
          );
      }
      outcome.probeUrl = storage.publicUrl(key);
      outcome.anonymousStatus = await anonymousRead(outcome.probeUrl, timeoutMs);
    } else {
      checks.push(
        skipped('s3.head', 'not run: the probe was not stored'),
        skipped('s3.get', 'not run: the probe was not stored'),
      );
    }
    try {
      const listed = await storage.list(PROBE_PREFIX);
      const found = listed.some((e) => e.key === key);
      checks.push(
        stored === 'yes' && !found
          ? failed('s3.list', {
              detail: `ListObjectsV2 prefix ${PROBE_PREFIX}: the probe is missing`,
              cause: 'the listing does not show a stored object',
            })
          : passed(
              's3.list',
              `ListObjectsV2 prefix ${PROBE_PREFIX}: ${found ? 'the probe is listed' : `${listed.length} objects`}`,
            ),
      );
    } catch (error) {
      fail('s3.list', error, 's3:ListBucket', 'ListObjectsV2');
    }
    if (stored === 'yes') {
      try {
        await storage.delete(key);
        const gone = !(await storage.exists(key));
        stored = gone ? 'no' : 'yes';
        checks.push(
          gone
            ? passed('s3.delete', 'DeleteObject removed the probe (HeadObject now answers 404)')
            : failed('s3.delete', {
                detail: 'DeleteObject answered, but the probe is still there',
                cause: 'the delete did not take effect',
              }),
        );
      } catch (error) {
        fail('s3.delete', error, 's3:DeleteObject');
      }
    } else {
      checks.push(skipped('s3.delete', 'not run: the probe was not stored'));
    }
  } finally {
    if (stored !== 'no') {
      // Always removed: one more try, and a plain instruction when even that fails.
      const removed = await storage.delete(key).then(
        () => true,
        () => false,
      );
      if (!removed && stored === 'yes') {
        checks.push(
          warning(
            's3.cleanup',
            `the probe ${uri} could not be removed`,
            'DeleteObject failed',
            `delete it: aws s3 rm ${uri}`,
          ),
        );
      }
    }
  }
  return outcome;
}

async function deniedChecks(
  client: S3Client,
  settings: Settings,
): Promise<{ checks: Check[]; policy?: string }> {
  const s3 = settings.storage.s3;
  const checks: Check[] = [];
  let policy: string | undefined;
  try {
    const out = await client.send(new ListBucketsCommand({}));
    checks.push({
      ...warning(
        's3.list-buckets',
        `ListBuckets is allowed for this key (${out.Buckets?.length ?? 0} buckets visible)`,
        "the key can list every bucket of the account (s3:ListAllMyBuckets): broader than the guide's least-privilege policy",
        "attach only the guide's policy (s3:PutObject, s3:GetObject, s3:DeleteObject, s3:ListBucket on the bucket)",
      ),
      guideStep: GUIDE_STEPS.s3Connection,
    });
  } catch (error) {
    const name = (error as Error).name;
    checks.push({
      ...(name === 'AccessDenied'
        ? passed(
            's3.list-buckets',
            "ListBuckets denied as on AWS (AccessDenied): the guide's least-privilege user has no s3:ListAllMyBuckets",
            [
              "the guide's list_buckets() check fails for this user on AWS too; HeadBucket (s3.bucket above) is the check that works",
            ],
          )
        : warning(
            's3.list-buckets',
            `ListBuckets failed unexpectedly: ${name} ${(error as Error).message}`,
            'expected AccessDenied',
            'see the other S3 checks',
          )),
      guideStep: GUIDE_STEPS.s3Connection,
    });
  }
  try {
    const out = await client.send(new GetBucketPolicyCommand({ Bucket: s3.bucket }));
    policy = out.Policy;
    checks.push(
      warning(
        's3.get-bucket-policy',
        'GetBucketPolicy is allowed for this key',
        "the key may read the bucket's policy (s3:GetBucketPolicy): broader than the guide's least-privilege policy",
        "attach only the guide's policy to the app's IAM user",
      ),
    );
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'AccessDenied') {
      checks.push(
        passed(
          's3.get-bucket-policy',
          "GetBucketPolicy denied (AccessDenied), as the guide's policy intends",
        ),
      );
    } else if (name === 'NoSuchBucketPolicy') {
      policy = '';
      checks.push(
        warning(
          's3.get-bucket-policy',
          'GetBucketPolicy is allowed for this key (the bucket has no policy)',
          "the key may read bucket policies (s3:GetBucketPolicy): broader than the guide's least-privilege policy",
          "attach only the guide's policy to the app's IAM user",
        ),
      );
    } else {
      checks.push(
        warning(
          's3.get-bucket-policy',
          `GetBucketPolicy failed: ${name}`,
          'expected AccessDenied',
          'see the other S3 checks',
        ),
      );
    }
  }
  return { checks, policy };
}

async function publicReadCheck(
  settings: Settings,
  readPolicy: string | undefined,
  probe: ProbeOutcome,
): Promise<Check> {
  const s3 = settings.storage.s3;
  let check: Check;
  if (readPolicy !== undefined) {
    check =
      readPolicy === ''
        ? passed('s3.public-read', 'the bucket has no bucket policy: nothing is public through it')
        : policyExposureCheck(readPolicy, s3.bucket, 'GetBucketPolicy');
  } else if (isLocalEndpoint(s3)) {
    const policies = await loadStackPolicies({ bucket: s3.bucket, bucketPolicy: 'default' });
    check = policyExposureCheck(
      policies.bucketPolicyJson ?? '',
      s3.bucket,
      'stack/policies/bucket-policy.json, applied by the dev stack',
    );
  } else {
    check = skipped(
      's3.public-read',
      "the bucket policy cannot be read with the app's key (as it should be): review it in the S3 console",
    );
  }
  if (probe.anonymousStatus === 200) {
    return {
      ...warning(
        's3.public-read',
        `anyone can read the probe object without credentials (anonymous GET ${probe.probeUrl} → 200): verification documents are public too`,
        'the bucket policy grants public s3:GetObject beyond teams/*/profile/* (the guide’s optional "PublicReadGetObject" policy does, on the whole bucket)',
        'grant public read only under teams/*/profile/* (stack/policies/bucket-policy.json) and serve the rest through presigned URLs (the guide, 보안 권장사항: 공개 읽기 권한 최소화)',
      ),
      lines: [...(check.lines ?? []), `policy verdict: ${check.detail}`],
    };
  }
  if (probe.anonymousStatus !== undefined) {
    check.lines = [
      ...(check.lines ?? []),
      `anonymous GET of the probe: ${probe.anonymousStatus} (not readable)`,
    ];
  }
  return check;
}

export async function checkS3(settings: Settings, options: S3CheckOptions): Promise<Check[]> {
  if (settings.storage.type !== 's3') {
    return [skipped('s3', `STORAGE_TYPE=local: files go to ${settings.storage.localPath}, S3 is not used`)];
  }
  const s3 = settings.storage.s3;
  const client = doctorS3Client(settings.storage, options.timeoutMs);
  const storage = doctorStorage(settings.storage, client);
  try {
    const bucket = await bucketCheck(client, storage, s3);
    const rest = [
      's3.put',
      's3.head',
      's3.get',
      's3.list',
      's3.delete',
      's3.list-buckets',
      's3.get-bucket-policy',
      's3.public-read',
    ];
    // A policy that only lacks s3:ListBucket still lets the object checks say more.
    if (bucket.status === 'fail' && bucket.appCode !== 'ACCESS_DENIED') {
      return [bucket, ...rest.map((id) => skipped(id, 'not run: the bucket check failed'))];
    }
    if (bucket.status === 'fail' && bucket.code !== 'AccessDenied') {
      return [bucket, ...rest.map((id) => skipped(id, 'not run: the credentials were refused'))];
    }
    const probe = await probeObject(storage, s3, options.timeoutMs);
    const denied = await deniedChecks(client, settings);
    return [bucket, ...probe.checks, ...denied.checks, await publicReadCheck(settings, denied.policy, probe)];
  } finally {
    client.destroy();
  }
}
