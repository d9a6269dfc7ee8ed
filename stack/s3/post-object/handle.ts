// POST Object: a browser form upload to `POST /{bucket}`. The checks run in the order S3's
// answers show: enclosure type, form shape, required fields, signature over the policy text as
// sent, policy document, expiration, conditions, uncovered fields; then the file streams to the
// store with content-length-range and the server's cap enforced byte by byte.
import { S3Error } from '../errors.ts';
import type { Identity } from '../identity.ts';
import { ChunkSource } from './chunk-source.ts';
import { FileBody } from './file-body.ts';
import { expandFilename, fieldMap, readFormHead } from './form.ts';
import { parseHeaderParams } from './header-params.ts';
import { MultipartReader } from './multipart.ts';
import { objectInput } from './object-input.ts';
import { parsePolicy } from './policy.ts';
import { checkConditions, checkCoverage, checkExpiration, type SizeRange } from './policy-check.ts';
import { fileCount, malformed, missingField, notMultipart, tooLarge } from './post-errors.ts';
import { successResponse } from './response.ts';
import { verifyPostSignature } from './sigv4-post.ts';
import type { PostObjectDeps, PostObjectRequest, PostObjectResponse } from './types.ts';

const UNSUPPORTED_MECHANISM =
  'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';

/** The SigV4 fields, all or none, in the order S3 names a missing one. */
const SIGV4_FIELDS = [
  ['x-amz-algorithm', 'X-Amz-Algorithm'],
  ['x-amz-credential', 'X-Amz-Credential'],
  ['x-amz-date', 'X-Amz-Date'],
  ['x-amz-signature', 'X-Amz-Signature'],
  ['policy', 'Policy'],
] as const;

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The boundary of a multipart/form-data request; 412 or MalformedPOSTRequest otherwise. */
function boundaryOf(req: PostObjectRequest): string {
  const { type, params } = parseHeaderParams(one(req.headers['content-type']) ?? '');
  if (type !== 'multipart/form-data') throw notMultipart();
  const boundary = params.get('boundary');
  if (boundary === undefined || boundary === '') throw malformed();
  return boundary;
}

interface Authenticated {
  identity: Identity | null;
  range: SizeRange;
}

function authenticate(
  req: PostObjectRequest,
  deps: PostObjectDeps,
  values: Map<string, string>,
  fields: Parameters<typeof checkCoverage>[1],
): Authenticated {
  const anyV4 = SIGV4_FIELDS.slice(0, 4).some(([name]) => values.has(name));
  if (!anyV4) {
    // SigV2 forms (AWSAccessKeyId + signature) are refused as SigV4-only regions refuse them.
    if (values.has('awsaccesskeyid') || values.has('signature')) {
      throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM);
    }
    // No signature: anonymous, allowed only where a bucket policy grants it. An unsigned
    // policy proves nothing and is not applied.
    return { identity: null, range: { min: 0, max: Number.POSITIVE_INFINITY } };
  }
  for (const [name, display] of SIGV4_FIELDS) if (!values.has(name)) throw missingField(display);
  const policyText = values.get('policy')!;
  const identity = verifyPostSignature(
    {
      algorithm: values.get('x-amz-algorithm')!,
      credential: values.get('x-amz-credential')!,
      date: values.get('x-amz-date')!,
      signature: values.get('x-amz-signature')!,
      policy: policyText,
    },
    { lookup: deps.lookup, region: req.region },
  );
  const policy = parsePolicy(policyText);
  checkExpiration(policy, req.now);
  const range = checkConditions(policy, values, req.bucket);
  checkCoverage(policy, fields);
  return { identity, range };
}

export async function handlePostObject(
  req: PostObjectRequest,
  deps: PostObjectDeps,
): Promise<PostObjectResponse> {
  const boundary = boundaryOf(req);
  const source = new ChunkSource(req.body);
  try {
    const reader = new MultipartReader(source, boundary);
    const head = await readFormHead(reader);
    if (head.file === null) throw fileCount(0);
    const fields = expandFilename(head.fields, head.file.filename);
    const values = fieldMap(fields);
    const key = values.get('key');
    if (key === undefined || key === '') throw missingField('key');

    const { identity, range } = authenticate(req, deps, values, fields);
    const input = objectInput(key, values);
    await deps.authorize?.({ ...input, bucket: req.bucket, identity });

    const max = Math.min(range.max, req.maxBytes);
    const file = new FileBody(reader, { min: range.min, max });
    let stored: Awaited<ReturnType<PostObjectDeps['store']>> | undefined;
    let storeError: unknown;
    try {
      stored = await deps.store({ ...input, body: file.stream, identity });
    } catch (err) {
      storeError = err;
    }
    const limit = file.limitError;
    if (limit) {
      // S3 reports the whole proposed size; a body that breaks off meanwhile reports what came.
      if (limit.code === 'EntityTooLarge') throw tooLarge(await file.finish().catch(() => file.size), max);
      throw limit;
    }
    if (storeError !== undefined) throw storeError;
    // Whatever follows the file (a submit button, stray fields) is ignored, as on S3.
    await file.finish();
    await reader.drain();

    const host = one(req.headers.host) ?? 'localhost';
    const bucketUrl = req.bucketUrl ?? `http://${host}/${req.bucket}`;
    const res = successResponse({ bucket: req.bucket, key, bucketUrl, ...stored! }, values);
    return { ...res, identity, key };
  } finally {
    source.release();
  }
}
