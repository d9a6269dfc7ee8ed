// SMTP_DKIM_*: signing is all or nothing. A domain without a selector or key (or a key without
// a domain) is a configuration mistake to report, not a reason to send unsigned mail silently.
import { createPrivateKey } from 'node:crypto';
import type { EnvReader } from './env-reader.ts';
import type { DkimSettings } from './settings.ts';

const DOMAIN_FORM = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
// A selector is one or more DNS labels (RFC 6376 3.1).
const SELECTOR_FORM = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Env files hold one line per variable: a PEM written inline carries literal `\n` escapes. */
export function unescapePem(value: string): string {
  return value.trim().replace(/\\r\\n|\\n/g, '\n');
}

/** Why `pem` is not a usable DKIM signing key, or undefined when it is (an RSA or Ed25519 private key). */
export function dkimKeyProblem(pem: string): string | undefined {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ed25519') {
      return `an RSA or Ed25519 private key (got ${key.asymmetricKeyType})`;
    }
    return undefined;
  } catch (error) {
    return `a PEM private key (it does not parse: ${(error as Error).message})`;
  }
}

export function readDkim(env: EnvReader): DkimSettings | undefined {
  const domain = env.optionalString('SMTP_DKIM_DOMAIN')?.trim().toLowerCase();
  const selector = env.optionalString('SMTP_DKIM_SELECTOR')?.trim();
  const inline = env.optionalString('SMTP_DKIM_PRIVATE_KEY');
  const privateKeyFile = env.optionalString('SMTP_DKIM_PRIVATE_KEY_FILE')?.trim();
  if (!domain && !selector && !inline && !privateKeyFile) return undefined;

  const purpose = 'when any SMTP_DKIM_* variable is set (DKIM signing needs domain, selector and key)';
  if (!domain) env.report('SMTP_DKIM_DOMAIN', `the signing domain, such as focusmate.com, ${purpose}`);
  else if (!DOMAIN_FORM.test(domain)) env.report('SMTP_DKIM_DOMAIN', 'a domain name such as focusmate.com');
  if (!selector) env.report('SMTP_DKIM_SELECTOR', `a selector, such as s1, ${purpose}`);
  else if (!SELECTOR_FORM.test(selector))
    env.report('SMTP_DKIM_SELECTOR', 'a selector made of DNS labels, such as s1 or mail.2024');
  if (inline && privateKeyFile) {
    env.report('SMTP_DKIM_PRIVATE_KEY_FILE', 'unset when SMTP_DKIM_PRIVATE_KEY is set (one key source)');
  } else if (!inline && !privateKeyFile) {
    env.report('SMTP_DKIM_PRIVATE_KEY', `a PEM private key (or SMTP_DKIM_PRIVATE_KEY_FILE) ${purpose}`);
  }
  const privateKey = inline === undefined ? undefined : unescapePem(inline);
  if (privateKey !== undefined) {
    const problem = dkimKeyProblem(privateKey);
    if (problem) env.report('SMTP_DKIM_PRIVATE_KEY', problem);
  }
  return { domain: domain ?? '', selector: selector ?? '', privateKey, privateKeyFile };
}
