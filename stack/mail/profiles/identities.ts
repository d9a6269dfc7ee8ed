// Verified identities as SES and SendGrid check them: an exact address, or any address at a
// verified domain (case-insensitive).
export function isVerified(address: string, identities: readonly string[]): boolean {
  const a = address.toLowerCase();
  const domain = a.slice(a.lastIndexOf('@') + 1);
  return identities.some((id) => {
    const i = id.toLowerCase();
    return i.includes('@') ? i === a : i === domain;
  });
}
