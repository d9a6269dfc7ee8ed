// The mail API contract against real Mailpit (the pinned build from source): differential
// conformance for our Mailpit-compatible API. Every difference is fixed in ours or skipped
// here with the reason naming where the two differ.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type MailpitProcess, startMailpitProcess } from '../../stack/mailpit/mailpit-process.ts';
import { MAILPIT_VERSION } from '../../stack/minio/binaries.ts';
import { freePort } from '../../stack/util/free-port.ts';
import { mailApiContract } from '../contract/mail-api-contract.ts';
import { mailpitBinary } from './mailpit-available.ts';

const binary = mailpitBinary();
if (binary) {
  let mailpit: MailpitProcess;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailpit-contract-'));
    mailpit = await startMailpitProcess({
      binary,
      dataDir: dir,
      smtpPort: await freePort(),
      httpPort: await freePort(),
    });
  });
  afterAll(async () => {
    await mailpit?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  mailApiContract(`Mailpit ${MAILPIT_VERSION}`, () => mailpit, {
    skip: {
      'attachment checksums: MD5, SHA1 and SHA256 of the content': `Mailpit ${MAILPIT_VERSION} has no Checksums on attachments (later Mailpit releases and the mailpit-api client's types have them)`,
    },
  });
}
