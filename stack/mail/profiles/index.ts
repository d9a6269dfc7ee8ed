// Resolves the `profile` option of the mail server to the profile's behaviour.
import { MailError } from '../errors.ts';
import { gmailProfile } from './gmail.ts';
import { sendgridProfile } from './sendgrid.ts';
import { sesProfile } from './ses.ts';
import type { SmtpProfile, SmtpProfileName, SmtpProfileOptions } from './types.ts';

export type {
  ScreenedMessage,
  SmtpProfile,
  SmtpProfileName,
  SmtpProfileOptions,
  SmtpReply,
} from './types.ts';

export const SMTP_PROFILES: readonly SmtpProfileName[] = ['gmail', 'ses', 'sendgrid', 'none'];

/** undefined for `none`: the server's own plain behaviour. */
export function resolveProfile(
  option: SmtpProfileName | SmtpProfileOptions | undefined,
): SmtpProfile | undefined {
  const o: SmtpProfileOptions = typeof option === 'string' ? { name: option } : (option ?? { name: 'none' });
  switch (o.name) {
    case 'none':
      return undefined;
    case 'gmail':
      return gmailProfile();
    case 'ses':
      return sesProfile(o);
    case 'sendgrid':
      return sendgridProfile(o);
    default:
      throw new MailError(
        'INVALID_OPTIONS',
        `SMTP profile must be one of ${SMTP_PROFILES.join(', ')}, got ${JSON.stringify(o.name)}`,
      );
  }
}
