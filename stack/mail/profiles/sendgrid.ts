// SendGrid (smtp.sendgrid.net): the AUTH user is literally `apikey` and the password the API key;
// anything else gets its 535. The From address must be a verified Sender Identity (550).
import { isVerified } from './identities.ts';
import type { SmtpProfile, SmtpProfileOptions, SmtpReply } from './types.ts';

export const SENDGRID_BAD_AUTH: SmtpReply = {
  code: 535,
  lines: ['Authentication failed: The provided authorization grant is invalid, expired, or revoked'],
};

export function sendgridProfile(o: SmtpProfileOptions): SmtpProfile {
  const verified = o.verifiedIdentities ?? [];
  return {
    name: 'sendgrid',
    authRequired: { code: 530, lines: ['Authentication required'] },
    auth: (username, ok) => (ok && username === 'apikey' ? undefined : SENDGRID_BAD_AUTH),
    screen(m) {
      const from = m.from?.address ?? m.mailFrom;
      if (isVerified(from, verified)) return undefined;
      return {
        code: 550,
        lines: [
          'The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements',
        ],
      };
    },
  };
}
