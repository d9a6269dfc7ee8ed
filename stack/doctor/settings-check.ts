// The guide's "환경변수 확인" step, done by the app's own loader: every variable parsed and
// validated by loadSettings (each problem listed per variable), shown with secrets redacted.

import { SECRET_VARIABLES } from '../../src/config/env-reader.ts';
import {
  ConfigError,
  type Env,
  loadSettings,
  SETTINGS_VARIABLES,
  type Settings,
} from '../../src/config/index.ts';
import { type Check, passed } from './check.ts';
import { GUIDE_STEPS } from './guide-sections.ts';
import { settingsWarnings } from './warnings.ts';

export interface SettingsOutcome {
  checks: Check[];
  /** The resolved settings, when the app's loader accepts the env. */
  settings?: Settings;
}

/** `NAME=value` with secrets masked; unset variables say so (the app then uses its default). */
export function describeVariable(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined) return `${name} (not set: the app's default applies)`;
  if (SECRET_VARIABLES.has(name)) return `${name}=${value === '' ? '(empty)' : '<redacted>'}`;
  return `${name}=${value}`;
}

export function checkSettings(env: Env, source: string): SettingsOutcome {
  try {
    const settings = loadSettings(env);
    const lines = SETTINGS_VARIABLES.map((name) => describeVariable(env, name));
    const checks: Check[] = [
      {
        ...passed('settings', `the app's loadSettings accepts every variable (from ${source})`, lines),
        guideStep: `${GUIDE_STEPS.smtpSettings}; ${GUIDE_STEPS.s3Settings}`,
      },
      ...settingsWarnings(settings),
    ];
    return { checks, settings };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const plural = error.issues.length === 1 ? 'variable is' : 'variables are';
    return {
      checks: [
        {
          id: 'settings',
          status: 'fail',
          detail: `${error.issues.length} ${plural} invalid (from ${source}); the app would refuse to start`,
          // The app's ConfigError already shows secrets as <redacted>.
          lines: error.issues.map(
            (i) =>
              `${i.variable}=${i.value === undefined ? '(not set)' : JSON.stringify(i.value)}: expected ${i.expected}`,
          ),
          code: error.code,
          appCode: error.code,
          cause: 'the values above do not pass the app’s validation (src/config/load-settings.ts)',
          remedy: 'fix each variable listed, then run the doctor again',
          guideStep: `${GUIDE_STEPS.smtpSettings}; ${GUIDE_STEPS.s3Settings}`,
        },
      ],
    };
  }
}
