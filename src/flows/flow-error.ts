export type FlowErrorCode = 'INVALID_INPUT' | 'UNSUPPORTED_FILE_TYPE';

/** A use case refused its input before touching storage or email. */
export class FlowError extends Error {
  readonly code: FlowErrorCode;
  /** The input field at fault. */
  readonly field: string;

  constructor(code: FlowErrorCode, field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'FlowError';
    this.code = code;
    this.field = field;
  }
}
