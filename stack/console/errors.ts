// The console API's errors: a stable code, an HTTP status, and a message a person can act on.
export type ConsoleErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_CONFIGURED'
  | 'S3_ERROR'
  | 'INTERNAL';

const STATUS: Record<ConsoleErrorCode, number> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  NOT_CONFIGURED: 501,
  S3_ERROR: 502,
  INTERNAL: 500,
};

export class ConsoleError extends Error {
  readonly code: ConsoleErrorCode;
  readonly status: number;
  /** The S3 error code when the engine answered with one (NoSuchKey, AccessDenied...). */
  readonly s3Code?: string;

  constructor(code: ConsoleErrorCode, message: string, options: { status?: number; s3Code?: string } = {}) {
    super(message);
    this.name = 'ConsoleError';
    this.code = code;
    this.status = options.status ?? STATUS[code];
    this.s3Code = options.s3Code;
  }
}

/** An SDK error from the S3 engine, kept in S3's own words (code and status). */
export function fromS3Error(err: unknown): ConsoleError {
  if (err instanceof ConsoleError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) {
    return new ConsoleError('S3_ERROR', `The S3 engine could not be reached: ${e.message ?? String(err)}`);
  }
  const code = e.name && e.name !== 'Error' ? e.name : `HTTP ${status}`;
  return new ConsoleError(status === 404 ? 'NOT_FOUND' : 'S3_ERROR', `${code}: ${e.message ?? ''}`.trim(), {
    status: status >= 400 && status < 600 ? status : 502,
    s3Code: code,
  });
}
