/** What the adapters log through; the app injects its own (pino, console, a test recorder). */
export interface Logger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** Logs to the console; the default when no logger is injected. */
export const consoleLogger: Logger = {
  info: (message, details) => console.info(message, details ?? ''),
  warn: (message, details) => console.warn(message, details ?? ''),
  error: (message, details) => console.error(message, details ?? ''),
};

/** Drops everything: for callers that report through return values only. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
