import { inspect } from 'node:util';
import type { Settings } from './settings.ts';

export const REDACTED = '<redacted>';

function mask(secret: string): string {
  // An empty secret stays visibly empty: "not set" is useful to see, the value never is.
  return secret === '' ? '' : REDACTED;
}

/** A plain copy of the settings, safe to print or log: SMTP_PASSWORD and AWS_SECRET_ACCESS_KEY masked. */
export function redactSettings(settings: Settings) {
  return {
    smtp: {
      ...settings.smtp,
      password: mask(settings.smtp.password),
      dkim: settings.smtp.dkim && {
        ...settings.smtp.dkim,
        privateKey: settings.smtp.dkim.privateKey && REDACTED,
      },
    },
    storage: {
      ...settings.storage,
      s3: { ...settings.storage.s3, secretAccessKey: mask(settings.storage.s3.secretAccessKey) },
    },
    app: { ...settings.app },
  };
}

/**
 * Makes `JSON.stringify` and `util.inspect`/`console.log` of `target` print `view()` instead of
 * its own fields. Non-enumerable, so spreading or comparing settings is unaffected.
 */
export function printAs(target: object, view: () => unknown): void {
  Object.defineProperty(target, 'toJSON', { value: view, enumerable: false });
  Object.defineProperty(target, inspect.custom, {
    value: (_depth: number, options: object) => inspect(view(), options),
    enumerable: false,
  });
}
