// Gmail (smtp.gmail.com): AUTH is required, and a wrong password (anything but an app password,
// for an account with 2-Step Verification) gets Gmail's two-line 535 5.7.8 with its help link.
import { randomBytes } from 'node:crypto';
import type { SmtpProfile, SmtpReply } from './types.ts';

/** Gmail ends its replies with a per-transaction id, e.g. `af79cd13be357-794f3061475sm18893085a.74 - gsmtp`. */
function gsmtpId(): string {
  return `${randomBytes(6).toString('hex')}-${randomBytes(5).toString('hex')}sm${randomBytes(4).readUInt32BE()}a.${randomBytes(1)[0]} - gsmtp`;
}

export function gmailBadCredentials(): SmtpReply {
  return {
    code: 535,
    lines: [
      '5.7.8 Username and Password not accepted. For more information, go to',
      `5.7.8  https://support.google.com/mail/?p=BadCredentials ${gsmtpId()}`,
    ],
  };
}

export function gmailProfile(): SmtpProfile {
  return {
    name: 'gmail',
    get authRequired(): SmtpReply {
      return {
        code: 530,
        lines: [
          '5.7.0 Authentication Required. For more information, go to',
          `5.7.0  https://support.google.com/mail/?p=WantAuthError ${gsmtpId()}`,
        ],
      };
    },
    auth: (_username, ok) => (ok ? undefined : gmailBadCredentials()),
  };
}
