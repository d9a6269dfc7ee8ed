// DKIM keys for the stack's zone: a generated key pair for the app (public half published,
// private half handed to the app through its env), or the public half of the app's own key.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/** The TXT record of a DKIM public key (RFC 6376 3.6.1). */
export function dkimTxtRecord(publicKey: KeyObject): string {
  if (publicKey.asymmetricKeyType === 'ed25519') {
    const der = publicKey.export({ type: 'spki', format: 'der' });
    // The raw 32-byte key is the tail of its SPKI encoding (RFC 8463).
    return `v=DKIM1; k=ed25519; p=${der.subarray(der.length - 32).toString('base64')}`;
  }
  return `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
}

/** Where a DKIM public key is published. */
export const dkimRecordName = (selector: string, domain: string) =>
  `${selector}._domainkey.${domain}`.toLowerCase();

export interface GeneratedDkimKey {
  domain: string;
  selector: string;
  privateKeyPem: string;
  record: string;
  /** The app's SMTP_DKIM_* variables for this key (the PEM inline, newlines as `\n`). */
  env: Record<string, string>;
}

export async function generateDkimKey(domain: string, selector: string): Promise<GeneratedDkimKey> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    domain,
    selector,
    privateKeyPem,
    record: dkimTxtRecord(publicKey),
    env: {
      SMTP_DKIM_DOMAIN: domain,
      SMTP_DKIM_SELECTOR: selector,
      SMTP_DKIM_PRIVATE_KEY: privateKeyPem.trim().replace(/\n/g, '\\n'),
    },
  };
}

/**
 * The zone entry for the key the app's env already configures (SMTP_DKIM_*), so its signatures
 * verify without hand-editing the zone; undefined when the env has no usable key (the app's own
 * config check reports that).
 */
export function appDkimRecord(
  env: Record<string, string | undefined>,
  cwd: string,
): { name: string; record: string } | undefined {
  const domain = env.SMTP_DKIM_DOMAIN?.trim();
  const selector = env.SMTP_DKIM_SELECTOR?.trim();
  if (!domain || !selector) return undefined;
  try {
    const pem = env.SMTP_DKIM_PRIVATE_KEY?.trim()
      ? env.SMTP_DKIM_PRIVATE_KEY.trim().replace(/\\r\\n|\\n/g, '\n')
      : readFileSync(resolve(cwd, env.SMTP_DKIM_PRIVATE_KEY_FILE?.trim() ?? ''), 'utf8');
    return {
      name: dkimRecordName(selector, domain),
      record: dkimTxtRecord(createPublicKey(createPrivateKey(pem))),
    };
  } catch {
    return undefined;
  }
}
