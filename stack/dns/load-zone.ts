// The stack's DNS zone: the zone file's records (or the caller's), plus what a developer would
// otherwise have to publish by hand for the app's sender domain.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ZoneRecords } from '../mail/auth/dns-zone.ts';

export const DEFAULT_ZONE_FILE = fileURLToPath(new URL('./zone.json', import.meta.url));

/** Loopback is where the app submits from, so the sender domain's SPF authorizes it. */
export const LOOPBACK_SPF = 'v=spf1 ip4:127.0.0.1 ip6:::1 -all';
export const DEFAULT_DMARC = 'v=DMARC1; p=reject; adkim=r; aspf=r';

export class ZoneFileError extends Error {
  readonly code = 'ZONE_FILE_INVALID' as const;
}

/** Reads `{ "records": { "<name>": ["<TXT>", ...] } }`. */
export async function readZoneFile(path: string): Promise<ZoneRecords> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ZoneFileError(`DNS zone file ${path}: ${(error as Error).message}`);
  }
  const records = (parsed as { records?: unknown } | null)?.records;
  if (typeof records !== 'object' || records === null || Array.isArray(records)) {
    throw new ZoneFileError(`DNS zone file ${path}: expected { "records": { "<name>": ["<TXT>", ...] } }`);
  }
  for (const [name, values] of Object.entries(records)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      throw new ZoneFileError(`DNS zone file ${path}: records["${name}"] must be an array of TXT strings`);
    }
  }
  return records as ZoneRecords;
}

/** Adds SPF and DMARC for the sender's domain when the zone says nothing about it. */
export function withSenderDefaults(records: ZoneRecords, fromEmail: string | undefined): ZoneRecords {
  const domain = fromEmail?.includes('@')
    ? fromEmail.slice(fromEmail.lastIndexOf('@') + 1).toLowerCase()
    : '';
  const out = { ...records };
  if (domain && !Object.keys(out).some((n) => n.toLowerCase() === domain)) out[domain] = [LOOPBACK_SPF];
  const dmarc = `_dmarc.${domain}`;
  if (domain && !Object.keys(out).some((n) => n.toLowerCase() === dmarc)) out[dmarc] = [DEFAULT_DMARC];
  return out;
}
