// One message's email-authentication verdicts (DKIM, SPF, DMARC), computed by mailauth as a
// receiving server would, against the stack's own DNS zone. The shape is flat and stable so a
// test can write `expect(v.dmarc).toMatchObject({ result: 'pass', domain: 'focusmate.com' })`.
// mailauth (with joi, node-forge's ASN.1 kin and ~2 MB of modules) is imported on the first
// check, not at start-up: verdicts are computed only when someone asks for them.
import type { SessionRecord } from '../store/types.ts';
import type { ZoneResolver } from './dns-zone.ts';

/** RFC 8601 result words (`policy` and the errors are rare here but real). */
export type AuthResult = 'pass' | 'fail' | 'neutral' | 'none' | 'policy' | 'temperror' | 'permerror';
export type SpfResult = AuthResult | 'softfail';

export interface DkimVerdict {
  /** The signature's d= (signing domain). */
  domain: string;
  /** The signature's s= (selector): the key is at `<selector>._domainkey.<domain>`. */
  selector: string;
  result: AuthResult;
  /** A passing signature whose domain aligns with the From domain (DMARC's DKIM alignment). */
  aligned: boolean;
  /** Why, in mailauth's words (e.g. "bad signature", "no key"). */
  comment: string;
}

export interface SpfVerdict {
  result: SpfResult;
  /** The domain checked: MAIL FROM's, or the HELO name for a null sender. */
  domain: string;
  clientIp: string;
  comment: string;
}

export interface DmarcVerdict {
  result: AuthResult;
  /** The From header's domain. */
  domain: string;
  /** What the domain asks receivers to do with failing mail ('none' when it has no record). */
  policy: 'none' | 'quarantine' | 'reject';
  /** Which mechanisms passed in alignment with the From domain. */
  aligned: { spf: boolean; dkim: boolean };
}

export interface AuthVerdicts {
  /** One entry per DKIM-Signature header, in message order; [] for an unsigned message. */
  dkim: DkimVerdict[];
  spf: SpfVerdict;
  dmarc: DmarcVerdict;
  /** The Authentication-Results header value a receiver would add. */
  summary: string;
}

const RESULTS = new Set(['pass', 'fail', 'neutral', 'none', 'policy', 'temperror', 'permerror']);
const word = (value: unknown): AuthResult =>
  typeof value === 'string' && RESULTS.has(value) ? (value as AuthResult) : 'permerror';
const policyOf = (value: unknown): DmarcVerdict['policy'] =>
  value === 'reject' || value === 'quarantine' ? value : 'none';

/** smtp-server reports IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d; SPF's ip4 wants a.b.c.d. */
function clientIp(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

export interface CheckOptions {
  resolver: ZoneResolver;
  /** The receiving host named in Authentication-Results. @default 'captured-mail' */
  mta?: string;
}

/** Verifies `raw` as received in `session` (client IP, EHLO name, MAIL FROM). */
export async function checkMessage(
  raw: Buffer,
  session: Pick<SessionRecord, 'clientAddress' | 'ehlo' | 'mailFrom'>,
  options: CheckOptions,
): Promise<AuthVerdicts> {
  const mta = options.mta ?? 'captured-mail';
  const { authenticate } = await import('mailauth');
  const result = await authenticate(raw, {
    ip: clientIp(session.clientAddress),
    helo: session.ehlo || undefined,
    sender: session.mailFrom || undefined,
    mta,
    resolver: options.resolver as never,
    disableArc: true,
    disableBimi: true,
  });
  // mailauth reports an unsigned message as one "none" row without a signature: that is [] here.
  const signatures = (result.dkim.results ?? []).filter((r) => r.signingDomain || r.selector);
  const dkim = signatures.map((r): DkimVerdict => {
    const header = (r.status as { header?: { s?: string } }).header;
    return {
      domain: r.signingDomain ?? '',
      selector: r.selector ?? header?.s ?? '',
      result: word(r.status.result),
      aligned: r.status.result === 'pass' && Boolean(r.status.aligned),
      comment: r.status.comment ?? '',
    };
  });
  const spf = result.spf;
  const dmarc = result.dmarc;
  const fromDomain = result.dkim.headerFrom?.[0]?.split('@').pop() ?? '';
  return {
    dkim,
    spf: spf
      ? {
          result: spf.status.result === 'softfail' ? 'softfail' : word(spf.status.result),
          domain: spf.domain,
          clientIp: spf['client-ip'],
          comment: spf.status.comment ?? '',
        }
      : { result: 'none', domain: '', clientIp: clientIp(session.clientAddress), comment: '' },
    dmarc: dmarc
      ? {
          result: word(dmarc.status.result),
          domain: (dmarc.status as { header?: { from?: string } }).header?.from ?? dmarc.domain ?? fromDomain,
          policy: policyOf(dmarc.policy),
          aligned: {
            spf: Boolean(dmarc.alignment?.spf?.result),
            dkim: Boolean(dmarc.alignment?.dkim?.result),
          },
        }
      : { result: 'none', domain: fromDomain, policy: 'none', aligned: { spf: false, dkim: false } },
    summary: `${mta}; ${result.headers
      .split(/\r\n(?=\S)/)
      .find((h) => h.startsWith('Authentication-Results:'))
      ?.replace(/^Authentication-Results:\s*[^;]*;\s*/, '')
      .replace(/\r\n\s+/g, ' ')
      .trim()}`,
  };
}
