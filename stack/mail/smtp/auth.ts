import { timingSafeEqual } from 'node:crypto';
import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse } from 'smtp-server';

export interface SmtpUser {
  user: string;
  pass: string;
}

/**
 * - `off`: AUTH is not offered; anyone may send.
 * - `accept-any`: AUTH is offered and optional; any username/password is accepted (the
 *   username still becomes the message's scope).
 * - `{ users }`: strict; MAIL before a successful AUTH gets 530, wrong credentials 535 5.7.8.
 */
export type AuthMode = 'off' | 'accept-any' | { users: SmtpUser[] };

/** What ends up in session.user; smtp-server itself reads `.username` for its logs. */
export interface AuthenticatedUser {
  username: string;
  method: string;
}

export const AUTH_FAILED_MESSAGE =
  'Username and Password not accepted. This local mail server accepts only the users it was started with (SMTP_USER / SMTP_PASSWORD).';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function authFailed(): Error & { responseCode: number } {
  return Object.assign(new Error(AUTH_FAILED_MESSAGE), { responseCode: 535 });
}

/** Checks credentials; returns the user for session.user, or an error carrying 535. */
export function authenticate(
  mode: AuthMode,
  auth: SMTPServerAuthentication,
): SMTPServerAuthenticationResponse | (Error & { responseCode: number }) {
  const username = auth.username ?? '';
  const user: AuthenticatedUser = { username, method: auth.method };
  if (mode === 'accept-any') return { user };
  if (mode === 'off') return authFailed();
  const known = mode.users.find((u) => u.user === username);
  if (!known) return authFailed();
  const ok =
    auth.method === 'CRAM-MD5' ? auth.validatePassword(known.pass) : same(auth.password ?? '', known.pass);
  return ok ? { user } : authFailed();
}
