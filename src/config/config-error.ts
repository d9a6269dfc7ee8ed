/** One thing wrong with the env: which variable, what it held (redacted for secrets), what was expected. */
export interface ConfigIssue {
  variable: string;
  /** The value as given, `<redacted>` for secrets, undefined when the variable was not set. */
  value: string | undefined;
  expected: string;
}

function describeIssue(issue: ConfigIssue): string {
  const shown = issue.value === undefined ? '(not set)' : JSON.stringify(issue.value);
  return `${issue.variable}=${shown}: expected ${issue.expected}`;
}

/** Every problem found in the env at once, so a developer fixes them in one pass. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const plural = issues.length === 1 ? 'problem' : 'problems';
    super(
      `Invalid configuration (${issues.length} ${plural}):\n${issues.map((i) => `  - ${describeIssue(i)}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.issues = Object.freeze([...issues]);
  }
}
