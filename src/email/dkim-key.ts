// The DKIM private key for nodemailer: inline from SMTP_DKIM_PRIVATE_KEY (already checked by the
// config), or read from SMTP_DKIM_PRIVATE_KEY_FILE when the transport is built, as the CA file is.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { dkimKeyProblem } from '../config/read-dkim.ts';
import type { DkimSettings } from '../config/settings.ts';

/** nodemailer's `dkim` transport option. */
export interface DkimSigning {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export function dkimSigning(dkim: DkimSettings, cwd: string): DkimSigning {
  let privateKey = dkim.privateKey;
  if (privateKey === undefined) {
    const file = dkim.privateKeyFile ?? '';
    const path = resolve(cwd, file);
    let problem: string | undefined;
    try {
      privateKey = readFileSync(path, 'utf8');
      problem = dkimKeyProblem(privateKey);
    } catch (error) {
      problem = `a readable file (${(error as Error).message})`;
    }
    if (problem) {
      throw new ConfigError([
        { variable: 'SMTP_DKIM_PRIVATE_KEY_FILE', value: file, expected: `${problem} at ${path}` },
      ]);
    }
  }
  return { domainName: dkim.domain, keySelector: dkim.selector, privateKey: privateKey ?? '' };
}
