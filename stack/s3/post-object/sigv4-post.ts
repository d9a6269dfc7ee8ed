// SigV4 for POST forms: the string to sign is the base64 policy exactly as sent, signed with
// the key of the credential's scope. Wording follows S3's answers to forms (InvalidArgument
// naming the field), not the Authorization-header ones.
import { S3Error } from '../errors.ts';
import type { Identity } from '../identity.ts';
import { parseAmzDate } from '../ingest/amz-date.ts';
import { hexBytes } from '../ingest/canonical.ts';
import { deriveSigningKey, hmac, signaturesEqual } from '../ingest/signing-key.ts';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface SignedFields {
  algorithm: string;
  credential: string;
  date: string;
  signature: string;
  policy: string;
}

export interface VerifyOptions {
  lookup(accessKeyId: string): Identity | undefined;
  /** The bucket's region, when known. */
  region?: string;
}

function badArgument(message: string, name: string, value: string, extra: Record<string, string> = {}) {
  return new S3Error('InvalidArgument', message, { ArgumentName: name, ArgumentValue: value, ...extra });
}

/** The identity that signed the policy; throws S3's error otherwise. */
export function verifyPostSignature(f: SignedFields, opts: VerifyOptions): Identity {
  if (f.algorithm !== ALGORITHM) {
    throw badArgument(`X-Amz-Algorithm only supports "${ALGORITHM}"`, 'X-Amz-Algorithm', f.algorithm);
  }
  const bad = (message: string, extra?: Record<string, string>) =>
    badArgument(message, 'X-Amz-Credential', f.credential, extra);
  const parts = f.credential.split('/');
  if (parts.length !== 5) {
    throw bad('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [accessKeyId, day, region, service, terminal] = parts;
  if (accessKeyId === '') throw bad('a non-empty Access Key (AKID) must be provided in the credential.');
  if (!/^\d{8}$/.test(day)) {
    throw bad(
      `incorrect date format "${day}". This date in the credential must be in the format "yyyyMMdd".`,
    );
  }
  if (service !== 's3') throw bad(`incorrect service "${service}". This endpoint belongs to "s3".`);
  if (terminal !== 'aws4_request')
    throw bad(`incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  if (opts.region !== undefined && region !== opts.region) {
    throw bad(`the region '${region}' is wrong; expecting '${opts.region}'`, { Region: opts.region });
  }
  if (parseAmzDate(f.date) === undefined) {
    throw badArgument('X-Amz-Date must be formated via ISO8601 Long format', 'X-Amz-Date', f.date);
  }
  const identity = opts.lookup(accessKeyId);
  if (!identity || identity.active === false) {
    throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  }
  const key = deriveSigningKey(identity.secretAccessKey, day, region, 's3');
  const expected = hmac(key, f.policy).toString('hex');
  if (!signaturesEqual(expected, f.signature)) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: accessKeyId,
      StringToSign: f.policy,
      SignatureProvided: f.signature,
      StringToSignBytes: hexBytes(f.policy),
    });
  }
  return identity;
}
