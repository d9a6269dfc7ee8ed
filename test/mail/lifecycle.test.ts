// start() → started handle; stop() bounded, idempotent, stops accepting, finishes in-flight work.
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startMailServer } from '../../stack/mail/server.ts';
import { RawSmtp, tempDir, transport } from './helpers.ts';

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

it('stop() finishes a transaction in DATA, closes idle connections at once, then refuses', async () => {
  const mail = await startMailServer({ stopTimeout: 3000 });
  const stored: string[] = [];
  mail.on((e) => {
    if (e.type === 'new') stored.push(e.message.subject);
  });
  const idle = await RawSmtp.connect(mail.smtpPort);
  await idle.reply();
  await idle.command('EHLO idle.test');
  const busy = await RawSmtp.connect(mail.smtpPort);
  await busy.reply();
  await busy.command('EHLO busy.test');
  await busy.command('MAIL FROM:<a@example.com>');
  await busy.command('RCPT TO:<b@example.com>');
  await busy.command('DATA');
  busy.write('Subject: in flight\r\n\r\nfirst half ');

  const started = performance.now();
  const stopping = mail.stop();
  expect(mail.stop()).toBe(stopping);
  expect((await idle.reply()).code).toBe(421);
  expect(await refused(mail.smtpPort)).toBe(true);
  busy.write('second half\r\n.\r\n');
  expect((await busy.reply()).code).toBe(250);
  await stopping;
  expect(performance.now() - started).toBeLessThan(2500);
  expect(stored).toEqual(['in flight']);
  expect(await refused(mail.smtpsPort)).toBe(true);
});

it('stop() with an idle pooled client returns promptly; asyncDispose stops too', async () => {
  let port = 0;
  {
    await using mail = await startMailServer();
    port = mail.smtpPort;
    const tx = transport(mail, { pool: true, maxConnections: 2 });
    await tx.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'x', text: 'x' });
    const t = performance.now();
    await mail.stop();
    expect(performance.now() - t).toBeLessThan(1000);
    tx.close();
  }
  expect(await refused(port)).toBe(true);
});

it('a CA directory is created once and reused; its PEM is what the server presents', async () => {
  using ca = tempDir('mail-ca-');
  const dir = ca.path;
  await using first = await startMailServer({ ca: dir });
  await first.stop();
  expect(first.caFile).toBe(join(dir, 'ca.pem'));
  expect(readFileSync(first.caFile!, 'utf8')).toBe(first.caCertPem);
  await using second = await startMailServer({ ca: dir });
  expect(second.caCertPem).toBe(first.caCertPem);
  expect(existsSync(join(dir, 'ca-key.pem'))).toBe(true);
  await transport(second, {
    implicitTls: true,
    tls: { ca: readFileSync(second.caFile!), servername: 'localhost' },
  }).sendMail({
    from: 'a@example.com',
    to: 'b@example.com',
    subject: 'trusted',
    text: 'x',
  });
});

it('refuses an unusable port with a typed error and leaves nothing listening', async () => {
  await using first = await startMailServer();
  await expect(startMailServer({ ports: { submission: first.smtpPort } })).rejects.toMatchObject({
    code: 'LISTEN_FAILED',
  });
});
