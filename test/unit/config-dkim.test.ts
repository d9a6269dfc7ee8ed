import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, loadSettings, SETTINGS_VARIABLES } from '../../src/config/index.ts';
import { smtpTransportOptions } from '../../src/email/transport-options.ts';

const PEM = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const INLINE = PEM.trim().replace(/\n/g, '\\n');
const BODY = PEM.split('\n')[1] ?? '';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${Object.keys(env).join(', ')}`);
}
const variables = (e: ConfigError) => e.issues.map((i) => i.variable).sort();

describe('SMTP_DKIM_* settings', () => {
  it('are optional: unset, mail is not signed', () => {
    expect(loadSettings({}).smtp.dkim).toBeUndefined();
    expect(smtpTransportOptions(loadSettings({}).smtp, {}, process.cwd())).not.toHaveProperty('dkim');
  });

  it('read an inline PEM with \\n escapes (one env-file line) and sign with it', () => {
    const s = loadSettings({
      SMTP_DKIM_DOMAIN: 'FocusMate.com',
      SMTP_DKIM_SELECTOR: 's1',
      SMTP_DKIM_PRIVATE_KEY: INLINE,
    });
    expect(s.smtp.dkim).toEqual({
      domain: 'focusmate.com',
      selector: 's1',
      privateKey: `${PEM.trim()}`,
      privateKeyFile: undefined,
    });
    const options = smtpTransportOptions(s.smtp, {}, process.cwd()) as { dkim?: unknown };
    expect(options.dkim).toEqual({ domainName: 'focusmate.com', keySelector: 's1', privateKey: PEM.trim() });
  });

  it('read a key file relative to cwd when the transport is built', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dkim-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'dkim.pem'), PEM);
    const s = loadSettings({
      SMTP_DKIM_DOMAIN: 'focusmate.com',
      SMTP_DKIM_SELECTOR: 's1',
      SMTP_DKIM_PRIVATE_KEY_FILE: 'dkim.pem',
    });
    const options = smtpTransportOptions(s.smtp, {}, dir) as { dkim?: { privateKey: string } };
    expect(options.dkim?.privateKey).toBe(PEM);

    const missing = loadSettings({
      SMTP_DKIM_DOMAIN: 'focusmate.com',
      SMTP_DKIM_SELECTOR: 's1',
      SMTP_DKIM_PRIVATE_KEY_FILE: 'nope.pem',
    });
    expect(() => smtpTransportOptions(missing.smtp, {}, dir)).toThrow(
      /SMTP_DKIM_PRIVATE_KEY_FILE="nope.pem".*readable file/,
    );
    writeFileSync(join(dir, 'bad.pem'), 'not a key');
    const bad = loadSettings({
      SMTP_DKIM_DOMAIN: 'focusmate.com',
      SMTP_DKIM_SELECTOR: 's1',
      SMTP_DKIM_PRIVATE_KEY_FILE: 'bad.pem',
    });
    expect(() => smtpTransportOptions(bad.smtp, {}, dir)).toThrow(/does not parse/);
  });

  it('are all or nothing: a domain alone names the selector and key as missing', () => {
    const e = configError({ SMTP_DKIM_DOMAIN: 'focusmate.com' });
    expect(variables(e)).toEqual(['SMTP_DKIM_PRIVATE_KEY', 'SMTP_DKIM_SELECTOR']);
    expect(e.message).toMatch(/SMTP_DKIM_SELECTOR=\(not set\): expected a selector/);
    expect(e.message).toMatch(
      /SMTP_DKIM_PRIVATE_KEY=\(not set\): expected a PEM private key \(or SMTP_DKIM_PRIVATE_KEY_FILE\)/,
    );
  });

  it('are all or nothing: a key alone names the domain and selector as missing', () => {
    expect(variables(configError({ SMTP_DKIM_PRIVATE_KEY: INLINE }))).toEqual([
      'SMTP_DKIM_DOMAIN',
      'SMTP_DKIM_SELECTOR',
    ]);
  });

  it('refuse a key that does not parse, without echoing it', () => {
    const e = configError({
      SMTP_DKIM_DOMAIN: 'focusmate.com',
      SMTP_DKIM_SELECTOR: 's1',
      SMTP_DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nAAAAsecretish\\n-----END PRIVATE KEY-----',
    });
    expect(variables(e)).toEqual(['SMTP_DKIM_PRIVATE_KEY']);
    expect(e.message).toMatch(/does not parse/);
    expect(e.message).toContain('<redacted>');
    expect(e.message).not.toContain('secretish');
  });

  it('refuse a public key, two key sources, and malformed names', () => {
    const pub = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(
      variables(
        configError({
          SMTP_DKIM_DOMAIN: 'focusmate.com',
          SMTP_DKIM_SELECTOR: 's1',
          SMTP_DKIM_PRIVATE_KEY: pub,
        }),
      ),
    ).toEqual(['SMTP_DKIM_PRIVATE_KEY']);
    expect(
      variables(
        configError({
          SMTP_DKIM_DOMAIN: 'focusmate.com',
          SMTP_DKIM_SELECTOR: 's1',
          SMTP_DKIM_PRIVATE_KEY: INLINE,
          SMTP_DKIM_PRIVATE_KEY_FILE: 'k.pem',
        }),
      ),
    ).toEqual(['SMTP_DKIM_PRIVATE_KEY_FILE']);
    expect(
      variables(
        configError({
          SMTP_DKIM_DOMAIN: 'not a domain',
          SMTP_DKIM_SELECTOR: 'bad selector!',
          SMTP_DKIM_PRIVATE_KEY: INLINE,
        }),
      ),
    ).toEqual(['SMTP_DKIM_DOMAIN', 'SMTP_DKIM_SELECTOR']);
  });

  it('never print the private key (JSON, inspect, nested or alone)', () => {
    const s = loadSettings({
      SMTP_DKIM_DOMAIN: 'focusmate.com',
      SMTP_DKIM_SELECTOR: 's1',
      SMTP_DKIM_PRIVATE_KEY: INLINE,
    });
    for (const text of [
      JSON.stringify(s),
      inspect(s, { depth: 10 }),
      JSON.stringify(s.smtp),
      inspect(s.smtp, { depth: 10 }),
      inspect(s.smtp.dkim),
      JSON.stringify(s.smtp.dkim),
    ]) {
      expect(text).not.toContain(BODY);
      expect(text).toContain('<redacted>');
      expect(text).toContain('focusmate.com');
    }
    expect(s.smtp.dkim?.privateKey).toContain(BODY);
  });

  it('are listed with the other variables', () => {
    for (const name of [
      'SMTP_DKIM_DOMAIN',
      'SMTP_DKIM_SELECTOR',
      'SMTP_DKIM_PRIVATE_KEY',
      'SMTP_DKIM_PRIVATE_KEY_FILE',
    ])
      expect(SETTINGS_VARIABLES).toContain(name);
  });
});
