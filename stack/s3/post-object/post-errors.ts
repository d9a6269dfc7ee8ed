// S3's answers that are particular to POST Object, worded as S3 words them on the wire
// (observed responses, where they differ from the error table of the docs).
import { S3_ERRORS, S3Error, type S3ErrorCode } from '../errors.ts';

/** Bytes of form data and boundaries allowed before the file's content ("20KB"). */
export const MAX_PRE_FILE_BYTES = 20480;

const ORDER = 'If it is specified, please check the order of the fields.';

/** `Bucket POST must contain a field named 'key'.` (two spaces before the advice, as S3 writes it). */
export function missingField(name: string): S3Error {
  return new S3Error('InvalidArgument', `Bucket POST must contain a field named '${name}'.  ${ORDER}`, {
    ArgumentName: name,
    ArgumentValue: '',
  });
}

export function notMultipart(): S3Error {
  return new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
    Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
  });
}

export function malformed(): S3Error {
  return new S3Error('MalformedPOSTRequest');
}

/** S3 answers InvalidArgument here, not the IncorrectNumberOfFilesInPostRequest of its error table. */
export function fileCount(count: number): S3Error {
  return new S3Error('InvalidArgument', 'POST requires exactly one file upload per request.', {
    ArgumentName: 'file',
    ArgumentValue: String(count),
  });
}

/**
 * Observed on the wire as `MaxPostPreDataLengthExceeded` with S3's own typos. The shared error
 * table has no row for it yet; until it does, the nearest code it has carries S3's message.
 */
export function preDataTooLarge(): S3Error {
  const code = 'MaxPostPreDataLengthExceeded';
  const message = 'Your POST request fields preceeding the upload file was too large.';
  const extra = { MaxPostPreDataLengthBytes: String(MAX_PRE_FILE_BYTES) };
  if (code in S3_ERRORS) return new S3Error(code as S3ErrorCode, message, extra);
  return new S3Error('MaxMessageLengthExceeded', message, extra);
}

export function invalidPolicy(detail: string): S3Error {
  return new S3Error('InvalidPolicyDocument', `Invalid Policy: ${detail}`);
}

export function policyDenied(detail: string): S3Error {
  return new S3Error('AccessDenied', `Invalid according to Policy: ${detail}`);
}

export function tooLarge(proposed: number, max: number): S3Error {
  return new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
    ProposedSize: String(proposed),
    MaxSizeAllowed: String(max),
  });
}

export function tooSmall(proposed: number, min: number): S3Error {
  return new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
    ProposedSize: String(proposed),
    MinSizeAllowed: String(min),
  });
}
