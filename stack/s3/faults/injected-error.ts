// The S3Error an error rule answers with: the table's status and message unless the rule
// overrides them, rendered like every other error (XML body, request ids, resource).
import { S3_ERRORS, S3Error, type S3ErrorCode } from '../errors.ts';
import type { S3FaultAction } from './s3-rules.ts';

export function injectedError(action: Extract<S3FaultAction, { type: 'error' }>): S3Error {
  const known = Object.hasOwn(S3_ERRORS, action.code);
  const err = new S3Error(
    known ? (action.code as S3ErrorCode) : 'InternalError',
    action.message ?? (known ? undefined : action.code),
  );
  // S3Error takes its code and status from the table; a rule may name a code outside it (with
  // its status) or give a table code another status, so those two fields are set here.
  if (!known) Object.defineProperty(err, 'code', { value: action.code });
  if (action.status !== undefined) Object.defineProperty(err, 'status', { value: action.status });
  return err;
}
