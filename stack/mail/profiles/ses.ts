// Amazon SES (email-smtp.<region>.amazonaws.com): AUTH with the SMTP credentials is required,
// the sender (From header and MAIL FROM) must be a verified identity, and in the sandbox every
// recipient must be verified too. SES refuses at the end of DATA with one 554 naming the
// identities that failed, in its own words.
import { isVerified } from './identities.ts';
import type { ScreenedMessage, SmtpProfile, SmtpProfileOptions, SmtpReply } from './types.ts';

export function sesNotVerified(identities: string[], region: string): SmtpReply {
  return {
    code: 554,
    lines: [
      `Message rejected: Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${identities.join(', ')}`,
    ],
  };
}

function failedIdentities(m: ScreenedMessage, verified: readonly string[], sandbox: boolean): string[] {
  const failed: string[] = [];
  const add = (shown: string) => {
    if (!failed.includes(shown)) failed.push(shown);
  };
  // As SES lists them: the From header as written (with its display name), then the bare addresses.
  if (m.from && !isVerified(m.from.address, verified))
    add(m.from.name ? `${m.from.name} <${m.from.address}>` : m.from.address);
  if (m.mailFrom && !isVerified(m.mailFrom, verified)) add(m.mailFrom);
  if (sandbox) for (const r of m.rcptTo) if (!isVerified(r, verified)) add(r);
  return failed;
}

export function sesProfile(o: SmtpProfileOptions): SmtpProfile {
  const verified = o.verifiedIdentities ?? [];
  const region = o.region ?? 'us-east-1';
  return {
    name: 'ses',
    authRequired: { code: 530, lines: ['Authentication required'] },
    auth: (_username, ok) => (ok ? undefined : { code: 535, lines: ['Authentication Credentials Invalid'] }),
    screen(m) {
      const failed = failedIdentities(m, verified, o.sandbox ?? false);
      return failed.length > 0 ? sesNotVerified(failed, region) : undefined;
    },
  };
}
