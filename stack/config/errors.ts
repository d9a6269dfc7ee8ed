/** Stable codes for everything that stops the stack from starting, each with the fix in its message. */
export type StackConfigErrorCode =
  | 'ENV_FILE_UNREADABLE'
  | 'ENV_INVALID'
  | 'FLAG_INVALID'
  | 'PORT_IN_USE'
  | 'DATA_DIR_UNWRITABLE'
  | 'HOST_NOT_LOOPBACK'
  | 'ENGINE_UNAVAILABLE';

export class StackConfigError extends Error {
  readonly code: StackConfigErrorCode;
  constructor(code: StackConfigErrorCode, message: string) {
    super(message);
    this.name = 'StackConfigError';
    this.code = code;
  }
}
