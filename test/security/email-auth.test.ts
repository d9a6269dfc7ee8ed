// The guide's email recommendations, checked offline: the app signs with DKIM when its env says
// so, and the captured-mail server judges every message (DKIM, SPF, DMARC) against the DNS zone
// the stack serves itself, as a receiving mail server would.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadSettings } from '../../src/config/index.ts';
import { createEmailService } from '../../src/email/email-service.ts';
import { teamInvitationEmail } from '../../src/email/messages.ts';
import { smtpTransportOptions } from '../../src/email/transport-options.ts';
import { silentLogger } from '../../src/index.ts';
import { appDkimRecord, generateDkimKey } from '../../stack/dns/dkim-records.ts';
import { DEFAULT_ZONE_FILE, readZoneFile, withSenderDefaults } from '../../stack/dns/load-zone.ts';
import { DnsZone } from '../../stack/mail/auth/dns-zone.ts';
import type { AuthVerdicts } from '../../stack/mail/auth/verdicts.ts';
import { startMailServer } from '../../stack/mail/server.ts';
import { type Stack, startStack } from '../../stack/stack.ts';
import { appFor } from '../e2e/support/app.ts';

const INVITEE = 'jisu.park@example.com';
const KEY_NAME = 'stack._domainkey.focusmate.com';
const PRODUCTION_SPF = 'v=spf1 include:amazonses.com -all';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ dkim: {} });
});
afterAll(() => stack?.stop());

const DKIM_VARS = ['SMTP_DKIM_DOMAIN', 'SMTP_DKIM_SELECTOR', 'SMTP_DKIM_PRIVATE_KEY'];
const unsignedEnv = () =>
  Object.fromEntries(Object.entries(stack.env).filter(([name]) => !DKIM_VARS.includes(name)));

/** Sends a team invitation through the app's adapters and returns the captured verdicts. */
async function inviteAndJudge(env: Record<string, string>): Promise<AuthVerdicts> {
  const after = stack.mail.seq;
  await using app = appFor(env);
  const invitation = await app.flows.inviteMember({
    teamId: 'team-dawn-coding',
    teamName: '새벽 코딩 클럽',
    inviteeEmail: INVITEE,
    inviterName: '김민지',
    expiresAt: new Date('2026-03-14T09:00:00.000Z'),
  });
  expect(invitation.email.status).toBe('sent');
  const [mail] = await stack.mail.waitFor({ afterSeq: after, to: INVITEE });
  return stack.mail.auth(mail!.id);
}

/** Sends raw bytes through the app's own transport settings (TLS, AUTH) from the app's sender. */
async function sendRaw(raw: string | Buffer, from = stack.env.SMTP_FROM_EMAIL!): Promise<AuthVerdicts> {
  const after = stack.mail.seq;
  const transport = nodemailer.createTransport(
    smtpTransportOptions(loadSettings(unsignedEnv()).smtp, {}, process.cwd()),
  );
  try {
    await transport.sendMail({ envelope: { from, to: [INVITEE] }, raw });
  } finally {
    transport.close();
  }
  const [mail] = await stack.mail.waitFor({ afterSeq: after });
  return stack.mail.auth(mail!.id);
}

/** An invitation signed by `privateKey` as focusmate.com / `selector`, built but not sent. */
async function signedInvitation(privateKey: string, selector = 'stack'): Promise<Buffer> {
  const content = teamInvitationEmail({ teamName: 'Dawn', acceptUrl: 'https://focusmate.example/a?token=t' });
  const builder = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    dkim: { domainName: 'focusmate.com', keySelector: selector, privateKey },
  });
  const info = await builder.sendMail({
    from: 'Focus Mate <noreply@focusmate.com>',
    to: INVITEE,
    subject: content.subject,
    text: content.text,
  });
  return info.message as Buffer;
}

describe('the stack publishes the DKIM key it generates for the app', () => {
  it('puts the public key in the zone and SMTP_DKIM_* in the app env', () => {
    expect(stack.env.SMTP_DKIM_DOMAIN).toBe('focusmate.com');
    expect(stack.env.SMTP_DKIM_SELECTOR).toBe('stack');
    expect(stack.env.SMTP_DKIM_PRIVATE_KEY).toMatch(/^-----BEGIN PRIVATE KEY-----\\n/);
    expect(stack.dns.get(KEY_NAME)?.[0]).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
    expect(stack.mail.dns).toBe(stack.dns);
    expect(stack.dns.get('focusmate.com')).toEqual(['v=spf1 ip4:127.0.0.1 ip6:::1 -all']);
    expect(stack.dns.get('_dmarc.focusmate.com')).toEqual(['v=DMARC1; p=reject; adkim=r; aspf=r']);
  });
});

describe('verdicts on captured mail', () => {
  it('a DKIM-signed invitation passes DKIM, SPF from loopback, and DMARC for focusmate.com', async () => {
    const v = await inviteAndJudge(stack.env);
    expect(v.dkim).toEqual([
      expect.objectContaining({ domain: 'focusmate.com', selector: 'stack', result: 'pass', aligned: true }),
    ]);
    expect(v.spf).toMatchObject({ result: 'pass', domain: 'focusmate.com', clientIp: '127.0.0.1' });
    expect(v.dmarc).toEqual({
      result: 'pass',
      domain: 'focusmate.com',
      policy: 'reject',
      aligned: { spf: true, dkim: true },
    });
    expect(v.summary).toMatch(/dkim=pass header\.i=@focusmate\.com header\.s=stack/);
    expect(v.summary).toMatch(/dmarc=pass \(p=REJECT\) header\.from=focusmate\.com/);

    // The same verdicts over the mail API.
    const res = await fetch(`${stack.apiUrl}/api/v1/message/latest/auth`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as AuthVerdicts & { ID: string };
    expect(body).toEqual({ ID: stack.mail.messages().at(-1)!.id, ...v });
  });

  it('the same invitation unsigned carries DMARC only while SPF covers the sender, and fails it with the production SPF', async () => {
    const loopback = await inviteAndJudge(unsignedEnv());
    expect(loopback.dkim).toEqual([]);
    expect(loopback.dmarc).toMatchObject({ result: 'pass', aligned: { spf: true, dkim: false } });

    // In production the app's mail leaves through SES, whose addresses the domain's SPF names,
    // not the app's host: then only the DKIM signature can carry DMARC.
    stack.dns.set('focusmate.com', [PRODUCTION_SPF]);
    try {
      const unsigned = await inviteAndJudge(unsignedEnv());
      expect(unsigned.spf.result).not.toBe('pass');
      expect(unsigned.dmarc).toEqual({
        result: 'fail',
        domain: 'focusmate.com',
        policy: 'reject',
        aligned: { spf: false, dkim: false },
      });
      const signed = await inviteAndJudge(stack.env);
      expect(signed.dmarc).toMatchObject({ result: 'pass', aligned: { spf: false, dkim: true } });
    } finally {
      stack.dns.set('focusmate.com', ['v=spf1 ip4:127.0.0.1 ip6:::1 -all']);
    }
  });

  it('with the key removed from the zone, a signed invitation would fail DKIM (and DMARC without SPF)', async () => {
    const record = stack.dns.get(KEY_NAME)!;
    stack.dns.delete(KEY_NAME);
    stack.dns.set('focusmate.com', [PRODUCTION_SPF]);
    try {
      const v = await inviteAndJudge(stack.env);
      expect(v.dkim).toHaveLength(1);
      expect(v.dkim[0]).toMatchObject({ domain: 'focusmate.com', selector: 'stack', aligned: false });
      expect(v.dkim[0]!.result).not.toBe('pass');
      expect(v.dmarc).toMatchObject({ result: 'fail', policy: 'reject' });
    } finally {
      stack.dns.set(KEY_NAME, record);
      stack.dns.set('focusmate.com', ['v=spf1 ip4:127.0.0.1 ip6:::1 -all']);
    }
  });

  it('a signed message whose body was altered in transit fails DKIM', async () => {
    const pem = stack.env.SMTP_DKIM_PRIVATE_KEY!.replace(/\\n/g, '\n');
    const signed = await signedInvitation(pem);
    const intact = await sendRaw(signed);
    expect(intact.dkim[0]).toMatchObject({ result: 'pass', aligned: true });

    // One line slipped into the body, after the headers (the signature covers both).
    const text = signed.toString('utf8');
    const split = text.indexOf('\r\n\r\n') + 4;
    const tampered = `${text.slice(0, split)}Also open https://evil.example/\r\n${text.slice(split)}`;
    const v = await sendRaw(tampered);
    // mailauth words a body-hash mismatch "neutral (body hash did not verify)": not a pass,
    // so it carries no DMARC alignment.
    expect(v.dkim[0]).toMatchObject({ domain: 'focusmate.com', result: 'neutral', aligned: false });
    expect(v.dkim[0]!.comment).toMatch(/body hash did not verify/i);
  });

  it('a message signed with a key other than the published one fails DKIM', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const v = await sendRaw(await signedInvitation(other));
    expect(v.dkim[0]).toMatchObject({ domain: 'focusmate.com', selector: 'stack', result: 'fail' });
    expect(v.dkim[0]!.comment).toMatch(/signature/i);
  });

  it('a From domain the zone does not know gets none everywhere: nothing is looked up on the network', async () => {
    // gmail.com publishes SPF and DMARC on the real internet; a leak would show them here.
    const raw = [
      'From: someone@gmail.com',
      `To: ${INVITEE}`,
      'Subject: hello',
      'Message-ID: <x1@gmail.com>',
      '',
      'hi',
      '',
    ].join('\r\n');
    const v = await sendRaw(raw, 'someone@gmail.com');
    expect(v.spf).toMatchObject({ result: 'none', domain: 'gmail.com' });
    expect(v.dmarc).toMatchObject({ result: 'none', domain: 'gmail.com', policy: 'none' });
    expect(v.dkim).toEqual([]);
  });
});

describe('the mail server alone', () => {
  it('resolves only from its zone: every name a check asks for is answered or refused locally', async () => {
    const asked: string[] = [];
    class RecordingZone extends DnsZone {
      override readonly resolve = async (name: string, type: string) => {
        asked.push(`${type} ${name}`);
        const values = this.get(name);
        if (!values) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
        return values.map((v) => [v]);
      };
    }
    const zone = new RecordingZone({ 'example.org': ['v=spf1 ip4:127.0.0.1 -all'] });
    await using mail = await startMailServer({ dns: zone });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: mail.smtpPort, ignoreTLS: true });
    await transport.sendMail({ from: 'a@example.org', to: 'b@example.com', subject: 's', text: 't' });
    const [m] = await mail.waitFor();
    const v = await mail.auth(m!.id);
    expect(v.spf).toMatchObject({ result: 'pass', domain: 'example.org' });
    expect(v.dmarc.result).toBe('none');
    expect(asked).toEqual(expect.arrayContaining(['TXT example.org', 'TXT _dmarc.example.org']));
    expect(asked.every((q) => q.startsWith('TXT '))).toBe(true);
    // The API 404s an unknown message; the handle throws NOT_FOUND.
    await expect(mail.auth('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('checks arrive off the SMTP reply path and stay cheap (under 50 ms each on average)', async () => {
    await using mail = await startMailServer({
      dns: { records: { 'example.org': ['v=spf1 ip4:127.0.0.1 -all'] } },
    });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: mail.smtpPort,
      ignoreTLS: true,
      pool: true,
    });
    const n = 20;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        transport.sendMail({ from: 'a@example.org', to: 'b@example.com', subject: `s${i}`, text: 't' }),
      ),
    );
    transport.close();
    const started = performance.now();
    const all = await Promise.all(mail.messages().map((m) => mail.auth(m.id)));
    const elapsed = performance.now() - started;
    expect(all).toHaveLength(n);
    expect(all.every((v) => v.spf.result === 'pass')).toBe(true);
    expect(elapsed / n).toBeLessThan(50);
  });
});

describe('verified senders (the SES profile)', () => {
  it('refuses mail from an unverified identity with SES reply, through the app adapter', async () => {
    await using mail = await startMailServer({
      profile: { name: 'ses', verifiedIdentities: ['focusmate.com'] },
    });
    const settingsFor = (from: string) =>
      loadSettings({
        SMTP_ENABLED: 'true',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(mail.smtpPort),
        SMTP_USE_TLS: 'false',
        SMTP_USER: 'ses-smtp-user',
        SMTP_PASSWORD: 'ses-smtp-password',
        SMTP_FROM_EMAIL: from,
      }).smtp;
    const options = { logger: silentLogger, retry: { attempts: 1 } };
    const content = teamInvitationEmail({ teamName: 'Dawn', acceptUrl: 'https://focusmate.example/a' });

    const refused = createEmailService(settingsFor('noreply@unverified.example'), options);
    await expect(refused.send(INVITEE, content)).rejects.toMatchObject({ code: 'SENDER_REJECTED' });
    await expect(refused.send(INVITEE, content)).rejects.toThrow(/Email address is not verified/);
    refused.close();
    expect(mail.messages()).toHaveLength(0);

    const verified = createEmailService(settingsFor('noreply@focusmate.com'), options);
    await expect(verified.send(INVITEE, content)).resolves.toMatchObject({ status: 'sent' });
    verified.close();
    expect(mail.messages()).toHaveLength(1);
  });
});

describe('the DNS zone', () => {
  it('answers TXT from memory, NXDOMAIN for unknown names, NODATA for other types', async () => {
    const long = `v=DKIM1; k=rsa; p=${'A'.repeat(400)}`;
    const zone = new DnsZone({ 'S1._domainkey.Example.ORG.': [long] });
    const answer = await zone.resolve('s1._domainkey.example.org', 'TXT');
    // Long values span 255-byte character-strings, as published DKIM keys do.
    expect(answer).toHaveLength(1);
    expect(answer[0]!.map((c) => c.length)).toEqual([255, long.length - 255]);
    expect(answer[0]!.join('')).toBe(long);
    await expect(zone.resolve('example.org', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(zone.resolve('s1._domainkey.example.org', 'A')).rejects.toMatchObject({ code: 'ENODATA' });
    expect(zone.delete('s1._domainkey.example.org')).toBe(true);
    expect(zone.records()).toEqual({});
  });

  it('loads the zone file form and refuses a malformed one with a typed error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zone-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ records: { 'example.org': ['v=spf1 -all'] } }));
    expect(await readZoneFile(good)).toEqual({ 'example.org': ['v=spf1 -all'] });
    expect(await readZoneFile(DEFAULT_ZONE_FILE)).toHaveProperty('_dmarc.focusmate.com');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ records: { 'example.org': 'v=spf1 -all' } }));
    await expect(readZoneFile(bad)).rejects.toMatchObject({ code: 'ZONE_FILE_INVALID' });
    await expect(readZoneFile(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'ZONE_FILE_INVALID',
    });
  });

  it('adds loopback SPF and DMARC for a sender domain the zone does not mention, and only then', () => {
    expect(withSenderDefaults({}, 'noreply@team.example')).toEqual({
      'team.example': ['v=spf1 ip4:127.0.0.1 ip6:::1 -all'],
      '_dmarc.team.example': ['v=DMARC1; p=reject; adkim=r; aspf=r'],
    });
    const own = { 'team.example': ['v=spf1 -all'], '_dmarc.team.example': ['v=DMARC1; p=none'] };
    expect(withSenderDefaults(own, 'noreply@team.example')).toEqual(own);
  });

  it('publishes the public half of a key the app env already configures', async () => {
    const key = await generateDkimKey('focusmate.com', 's1');
    const fromEnv = appDkimRecord(key.env, process.cwd());
    expect(fromEnv).toEqual({ name: 's1._domainkey.focusmate.com', record: key.record });
    expect(appDkimRecord({ SMTP_DKIM_DOMAIN: 'focusmate.com' }, process.cwd())).toBeUndefined();
  });
});
