// Errors of the fault-injection API: a stable code, and a message that says which field is wrong.
export type FaultErrorCode = 'INVALID_RULE' | 'UNKNOWN_RULE' | 'DUPLICATE_ID' | 'NOT_SUPPORTED';

export class FaultError extends Error {
  readonly code: FaultErrorCode;

  constructor(code: FaultErrorCode, message: string) {
    super(message);
    this.name = 'FaultError';
    this.code = code;
  }
}

export function invalid(message: string): FaultError {
  return new FaultError('INVALID_RULE', message);
}
