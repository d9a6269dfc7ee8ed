// The flows whose product is an email — verification submitted / approved / rejected, team
// invitation — and the SMTP_ENABLED=false switch, on one stack for this file.
import { invitationCases } from './cases/invitation.ts';
import { smtpDisabledCases } from './cases/smtp-disabled.ts';
import { verificationCases } from './cases/verification.ts';

verificationCases();
invitationCases();
smtpDisabledCases();
