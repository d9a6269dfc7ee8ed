import type { ConfigIssue } from './config-error.ts';

/** The process env shape, passed in by the caller: this module never reads `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Variables whose values never appear in errors or printed settings. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'SMTP_PASSWORD',
  'AWS_SECRET_ACCESS_KEY',
  'SMTP_DKIM_PRIVATE_KEY',
]);

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/**
 * Reads typed values out of an env, collecting a ConfigIssue per bad value instead of throwing,
 * so that one ConfigError can list everything wrong. An empty string is a value, not "unset"
 * (as in pydantic-settings, which the app's guide is written against).
 */
export class EnvReader {
  readonly issues: ConfigIssue[] = [];
  readonly #env: Env;

  constructor(env: Env) {
    this.#env = env;
  }

  raw(name: string): string | undefined {
    return this.#env[name];
  }

  report(variable: string, expected: string, value: string | undefined = this.#env[variable]): void {
    const shown = value !== undefined && SECRET_VARIABLES.has(variable) ? '<redacted>' : value;
    this.issues.push({ variable, value: shown, expected });
  }

  string(name: string, fallback: string): string {
    return this.#env[name] ?? fallback;
  }

  optionalString(name: string): string | undefined {
    const value = this.#env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.#env[name];
    if (value === undefined) return fallback;
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    this.report(name, 'a boolean: true/false, 1/0 or yes/no');
    return fallback;
  }

  /** A base-10 integer within [min, max]; `what` names the expected form in the error. */
  integer(name: string, fallback: number, min: number, max: number, what: string): number {
    const value = this.#env[name];
    if (value === undefined) return fallback;
    const text = value.trim();
    const parsed = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.report(name, what);
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.#env[name];
    if (value === undefined) return fallback;
    const word = value.trim().toLowerCase();
    const match = allowed.find((a) => a === word);
    if (match === undefined) this.report(name, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return match ?? fallback;
  }
}
