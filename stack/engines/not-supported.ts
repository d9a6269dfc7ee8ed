// An engine asked for something only another engine can do (typed, so tests and the CLI
// can tell it from a failure).
export class EngineNotSupportedError extends Error {
  readonly code = 'NOT_SUPPORTED';

  constructor(message: string) {
    super(message);
    this.name = 'EngineNotSupportedError';
  }
}
