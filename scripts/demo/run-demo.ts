// `npm run demo`: the FocusMate app's real flows (src/, configured from env only) against the
// offline stack, narrated step by step. It uses the running dev stack when one answers (S3 at
// the env file's AWS_ENDPOINT_URL_S3 and the console's mail API), or starts a temporary one on
// random ports. It talks to the stack only the way the app and a developer would: S3 over HTTP,
// SMTP through the app, and the Mailpit-compatible mail API — so it works with MinIO + Mailpit
// (docker-compose) too.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type App,
  ConfigError,
  createApp,
  EmailError,
  type EmailSendResult,
  FlowError,
  loadSettings,
  type NotificationOutcome,
  StorageError,
  silentLogger,
} from '../../src/index.ts';
import { readEnvFile } from '../../stack/config/env-file.ts';
import { StackConfigError } from '../../stack/config/errors.ts';
import { REPO_ENV_FILE, startStack } from '../../stack/stack.ts';

const USAGE = `Usage: npm run demo -- [options]

Runs the FocusMate flows (verification submitted / approved / rejected, team invitation, chat
attachment, team profile image) against the offline stack and says what happened at each step.

  --app-env PATH       the app's env file (default: ./.env.local, else the repository's)
  --console-url URL    the dev stack's console (default: http://127.0.0.1:8025)
  --own-stack          do not look for a running dev stack; start a temporary one
  --keep               with a temporary stack: keep it running after the demo (Ctrl-C stops)
  -h, --help           this text`;

/** @default the console of `npm run dev:stack` */
const DEFAULT_CONSOLE_URL = 'http://127.0.0.1:8025';
/** How long a probe of a dev-stack endpoint may take before we call it absent. @default 1000 */
const PROBE_MS = 1000;
/** How long a sent email may take to show up in the mail API. @default 5000 */
const MAIL_WAIT_MS = 5000;

/** A failure the demo explains itself: what went wrong and what to do. */
class DemoError extends Error {
  override name = 'DemoError';
}

// --- where the demo runs ------------------------------------------------------------------

interface Target {
  /** One sentence for the reader. */
  description: string;
  /** The app's env. */
  env: Record<string, string>;
  /** The app's working directory (relative STORAGE_LOCAL_PATH and SMTP_TLS_CA_FILE resolve here). */
  cwd: string;
  /** Base URL of the Mailpit-compatible mail API. */
  mailApi: string;
  /** Where a person looks at the mail and the objects: the console's pages. */
  console: { mail: string; storage: string };
  temporary: boolean;
  close(): Promise<void>;
}

async function probe(url: string): Promise<Response | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_MS) });
    await response.arrayBuffer();
    return response;
  } catch {
    return undefined;
  }
}

function isLoopbackUrl(url: string | undefined): url is string {
  if (!url) return false;
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** The running dev stack, if both its S3 endpoint and its console answer; explains a half-running one. */
async function findDevStack(
  env: Record<string, string>,
  envFile: string,
  consoleUrl: string,
): Promise<Target | string> {
  const endpoint = env.AWS_ENDPOINT_URL_S3?.replace(/\/+$/, '');
  if (!isLoopbackUrl(endpoint)) {
    return `${envFile} does not point AWS_ENDPOINT_URL_S3 at a local stack (${endpoint ?? 'unset: that is real AWS'})`;
  }
  const [s3, info] = await Promise.all([probe(`${endpoint}/`), probe(`${consoleUrl}/api/v1/info`)]);
  const s3Up = s3?.headers.has('x-amz-request-id') ?? false;
  const consoleUp = info?.ok ?? false;
  if (!s3Up && !consoleUp) return `nothing answered at ${endpoint} (S3) or ${consoleUrl} (console)`;
  if (!s3Up || !consoleUp) {
    const [up, down] = s3Up
      ? [`S3 answers at ${endpoint}`, `no mail API answers at ${consoleUrl}/api/v1/info`]
      : [`a mail API answers at ${consoleUrl}`, `no S3 server answers at ${endpoint}`];
    throw new DemoError(
      `Found half a dev stack: ${up}, but ${down}. Start the whole stack with \`npm run dev:stack\`, ` +
        'point --console-url / --app-env at it, or run `npm run demo -- --own-stack`.',
    );
  }
  const cwd = dirname(envFile);
  const appEnv = { ...env };
  const caFile = env.SMTP_TLS_CA_FILE ? resolve(cwd, env.SMTP_TLS_CA_FILE) : undefined;
  let scratch: string | undefined;
  if (caFile && !existsSync(caFile)) {
    // The stack was started elsewhere (another --data-dir): ask it for its CA rather than fail TLS.
    const pem = await probeText(`${consoleUrl}/api/v1/ca.pem`);
    if (!pem?.includes('BEGIN CERTIFICATE')) {
      throw new DemoError(
        `SMTP_TLS_CA_FILE=${env.SMTP_TLS_CA_FILE} (${caFile}) does not exist and the console does not serve its CA. ` +
          'Run the demo from the directory where `npm run dev:stack` runs, or fix SMTP_TLS_CA_FILE.',
      );
    }
    scratch = await mkdtemp(join(tmpdir(), 'focusmate-demo-'));
    appEnv.SMTP_TLS_CA_FILE = join(scratch, 'ca.pem');
    await writeFile(appEnv.SMTP_TLS_CA_FILE, pem);
  }
  return {
    description: `the running dev stack (S3 ${endpoint}, console ${consoleUrl})`,
    env: appEnv,
    cwd,
    mailApi: consoleUrl,
    console: { mail: `${consoleUrl}/#/mail`, storage: `${consoleUrl}/#/storage` },
    temporary: false,
    close: async () => {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    },
  };
}

async function probeText(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_MS) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

async function ownStack(env: Record<string, string>, envFile: string): Promise<Target> {
  const stack = await startStack({ env, envFile });
  return {
    description: `a temporary stack on random ports, in memory (S3 ${stack.s3.url}, console ${stack.consoleUrl})`,
    env: stack.env,
    cwd: dirname(envFile),
    mailApi: stack.apiUrl,
    console: { mail: `${stack.consoleUrl}/#/mail`, storage: `${stack.consoleUrl}/#/storage` },
    temporary: true,
    close: () => stack.stop(),
  };
}

// --- what the reader sees -------------------------------------------------------------------

const out = (line = '') => process.stdout.write(`${line}\n`);
const done = (line: string) => out(`  ✓ ${line}`);
const note = (line: string) => out(`    ${line}`);
const warn = (line: string) => out(`  ! ${line}`);

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

function bytes(n: number): string {
  return n < 1024 ? `${n} bytes` : `${(n / 1024).toFixed(1)} KiB`;
}

// --- the mail API (Mailpit's shapes; our server also answers /api/v1/wait) ------------------------

interface MailItem {
  ID: string;
  Subject: string;
  To: { Address: string }[];
}
interface MailFull extends MailItem {
  Text: string;
  HTML: string;
  Session?: {
    listener: string;
    tls: { protocol: string; upgraded: boolean } | null;
    auth: { user: string } | null;
  };
}

async function getJson<T>(url: string): Promise<{ status: number; body: T | undefined }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(MAIL_WAIT_MS + 2000) });
  const text = await response.text();
  return { status: response.status, body: response.ok ? (JSON.parse(text) as T) : undefined };
}

/** The captured message with this Message-ID, waiting for it server-side where the API can. */
async function findMail(api: string, messageId: string): Promise<MailFull> {
  const query = encodeURIComponent(`message-id:"${messageId.replace(/^<|>$/g, '')}"`);
  const waited = await getJson<{ messages: MailItem[] }>(
    `${api}/api/v1/wait?query=${query}&timeout=${MAIL_WAIT_MS}`,
  );
  let item = waited.body?.messages[0];
  if (waited.status === 404) {
    // Mailpit has no wait endpoint: ask again with a backoff, bounded.
    const deadline = Date.now() + MAIL_WAIT_MS;
    for (let pause = 50; !item && Date.now() < deadline; pause = Math.min(pause * 2, 500)) {
      item = (await getJson<{ messages: MailItem[] }>(`${api}/api/v1/search?query=${query}`)).body
        ?.messages[0];
      if (!item) await new Promise((r) => setTimeout(r, pause));
    }
  }
  if (!item) {
    throw new DemoError(
      `the app's email (Message-ID ${messageId}) was accepted by the SMTP server but did not show up in the mail API at ${api} within ${MAIL_WAIT_MS} ms`,
    );
  }
  const full = await getJson<MailFull>(`${api}/api/v1/message/${encodeURIComponent(item.ID)}`);
  if (!full.body)
    throw new DemoError(`the mail API at ${api} could not return message ${item.ID} (HTTP ${full.status})`);
  return full.body;
}

// --- the demo ------------------------------------------------------------------------------

const LOGO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGOwjr5NEmIY1TCqYfhqAACMHHEQt8iMqwAAAABJRU5ErkJggg==',
  'base64',
);

function pdf(title: string): Buffer {
  const content = `BT /F1 18 Tf 40 150 Td (${title}) Tj ET`;
  return Buffer.from(
    `%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n` +
      `3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R >>\nendobj\n` +
      `4 0 obj\n<< /Length ${content.length} >>\nstream\n${content}\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );
}

interface Tally {
  objects: number;
  emails: number;
}

function createNarrator(app: App, target: Target, tally: Tally) {
  const storage = app.storage;
  const s3 = app.settings.storage.s3;

  function objectUrl(key: string): string {
    return `${s3.endpoint}/${s3.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  return {
    async stored(key: string, what: string): Promise<void> {
      const info = await storage.head(key);
      tally.objects++;
      const where =
        storage.kind === 's3' ? `s3://${s3.bucket}/${key}` : fileURLToPath(storage.publicUrl(key));
      done(`${what}:`);
      note(`${where}  (${bytes(info.size)}, ${info.contentType})`);
    },

    /** What an anonymous visitor (a plain browser, no credentials) gets at the object's URL. */
    async visitor(key: string, expectPublic: boolean, url = objectUrl(key)): Promise<void> {
      if (storage.kind !== 's3') {
        note('(STORAGE_TYPE=local: files are served by the app itself, not by S3; no anonymous check)');
        return;
      }
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = await response.text();
      const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
      if (expectPublic && response.ok) {
        done(`An anonymous visitor can load it: ${url} → ${response.status}`);
      } else if (!expectPublic && response.status === 403) {
        done(`An anonymous visitor is turned away: ${url} → ${response.status} ${code ?? ''}`.trimEnd());
      } else if (expectPublic) {
        warn(
          `An anonymous visitor cannot load it (${response.status} ${code ?? ''}): the bucket policy does not open teams/*/profile/*`,
        );
      } else {
        warn(
          `An anonymous visitor CAN read it (${response.status}): the bucket policy is public beyond profile images`,
        );
      }
    },

    /** Checks the email arrived where the app says it sent it, and shows where to read it. */
    async emailed(outcome: NotificationOutcome | EmailSendResult, mustContain: string[] = []): Promise<void> {
      if (outcome.status === 'failed') {
        throw new DemoError(`the email failed (${outcome.error.code}): ${outcome.error.message}`);
      }
      if (outcome.status === 'skipped') {
        done(
          `Email to ${outcome.to} not sent: SMTP_ENABLED=false, so the app only logs "${outcome.subject}"`,
        );
        return;
      }
      const mail = await findMail(target.mailApi, outcome.messageId);
      for (const needle of mustContain) {
        if (!mail.Text.includes(needle) || !mail.HTML.includes(escapeHtml(needle))) {
          throw new DemoError(
            `the email "${mail.Subject}" does not carry ${JSON.stringify(needle)} in both its text and HTML parts`,
          );
        }
      }
      tally.emails++;
      const session = mail.Session;
      const how = session
        ? ` over ${session.tls ? `${session.tls.protocol}${session.tls.upgraded ? ' (STARTTLS)' : ' (implicit TLS)'}` : 'plain SMTP'}` +
          `${session.auth ? `, AUTH as ${session.auth.user}` : ''}`
        : '';
      done(`Email to ${mail.To.map((a) => a.Address).join(', ')}${how}:`);
      note(`"${mail.Subject}"`);
      note(`read it: ${target.mailApi}/#/mail/${encodeURIComponent(mail.ID)}`);
    },
  };
}

async function runFlows(app: App, target: Target): Promise<Tally> {
  const tally: Tally = { objects: 0, emails: 0 };
  const say = createNarrator(app, target, tally);
  const run = randomBytes(3).toString('hex');
  const focus = {
    teamId: `focus-study-${run}`,
    teamName: '포커스 스터디',
    leaderEmail: 'minji.kim@example.com',
  };
  const dawn = {
    teamId: `dawn-coding-${run}`,
    teamName: '새벽 코딩 클럽',
    leaderEmail: 'donghyun.jung@example.com',
  };

  out('[1/6] Verification document submitted');
  out(
    `  김민지 (${focus.leaderEmail}), leader of '${focus.teamName}', uploads 사업자등록증.pdf to get the team verified.`,
  );
  const certificate = await app.flows.submitVerificationDocument({
    ...focus,
    document: {
      fileName: '사업자등록증.pdf',
      contentType: 'application/pdf',
      body: pdf('Business registration'),
    },
  });
  await say.stored(certificate.documentKey, 'The app checked it really is a PDF and stored it');
  await say.visitor(certificate.documentKey, false);
  await say.emailed(certificate.notification, [focus.teamName]);
  out();

  out('[2/6] Verification approved');
  out(`  An administrator reviews the document and approves '${focus.teamName}'.`);
  const approved = await app.flows.approveVerification({ ...focus, documentKey: certificate.documentKey });
  done('The app checked the document is still stored, then told the leader:');
  await say.emailed(approved.notification, ['팀 인증이 승인되었습니다']);
  out();

  out('[3/6] Verification rejected');
  out(
    `  정동현 (${dawn.leaderEmail}) submits 재직 증명서.pdf for '${dawn.teamName}'; the administrator rejects it.`,
  );
  const employment = await app.flows.submitVerificationDocument({
    ...dawn,
    document: {
      fileName: '재직 증명서.pdf',
      contentType: 'application/pdf',
      body: pdf('Certificate of employment'),
    },
  });
  await say.stored(employment.documentKey, 'Stored privately');
  await say.emailed(employment.notification);
  const reason =
    '사업자등록번호가 가려져 있어 확인할 수 없습니다. 번호가 보이도록 다시 스캔해 제출해 주세요.';
  const rejected = await app.flows.rejectVerification({
    ...dawn,
    documentKey: employment.documentKey,
    reason,
  });
  done('The rejection carries the reviewer’s reason:');
  note(`반려 사유: ${reason}`);
  await say.emailed(rejected.notification, [reason]);
  out();

  out('[4/6] Team invitation');
  out(`  김민지 invites 박지수 (jisu.park@example.com) to '${focus.teamName}'.`);
  const invitation = await app.flows.inviteMember({
    teamId: focus.teamId,
    teamName: focus.teamName,
    inviteeEmail: 'jisu.park@example.com',
    inviterName: '김민지',
    expiresAt: new Date(Date.now() + 7 * 24 * 60 * 60 * 1000),
  });
  done('The app made a one-time token; the accept link is');
  note(invitation.acceptUrl);
  await say.emailed(invitation.email, [invitation.acceptUrl]);
  out();

  out('[5/6] Chat attachment');
  out(`  박지수 shares "3월 스터디 회의록.pdf" in the team's chat room.`);
  const notes = pdf('Study meeting notes, March');
  const attachment = await app.flows.attachFileToChat({
    roomId: `room-${focus.teamId}`,
    file: { fileName: '3월 스터디 회의록.pdf', contentType: 'application/pdf', body: notes },
  });
  await say.stored(attachment.key, 'Stored privately');
  await say.visitor(attachment.key, false);
  if (attachment.downloadUrl) {
    const response = await fetch(attachment.downloadUrl, { signal: AbortSignal.timeout(5000) });
    const same = Buffer.from(await response.arrayBuffer()).equals(notes);
    if (!response.ok || !same) throw new DemoError(`the presigned download link answered ${response.status}`);
    done(`Room members get a presigned link valid for 7 days; it works (${response.status}, same bytes).`);
  }
  out();

  out('[6/6] Team profile image');
  out(`  '${focus.teamName}' sets logo.png as its profile image — the one thing anyone may see.`);
  const profile = await app.flows.setTeamProfileImage({
    teamId: focus.teamId,
    image: { fileName: 'logo.png', contentType: 'image/png', body: LOGO_PNG },
  });
  await say.stored(profile.key, 'Stored under the public prefix teams/*/profile/');
  await say.visitor(profile.key, true, profile.publicUrl);
  out();
  return tally;
}

const SECURITY: Record<App['email']['security'], string> = {
  'implicit-tls': 'implicit TLS',
  'starttls-required': 'STARTTLS required',
  none: 'no TLS',
};

function describeEnv(app: App, envFile: string): string {
  const { storage, smtp } = app.settings;
  const where =
    storage.type === 's3'
      ? `S3 bucket ${storage.s3.bucket} (${storage.s3.region})`
      : `local disk (${storage.localPath})`;
  const mail = smtp.enabled
    ? `email via ${smtp.host}:${smtp.port} (${SECURITY[app.email.security]}) as ${smtp.user || 'no AUTH'}`
    : 'email disabled (SMTP_ENABLED=false)';
  return `${envFile}: files in ${where}, ${mail}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      // Not --env-file: Node itself reads that flag even after the script name (nodejs/node#54232).
      'app-env': { type: 'string' },
      'console-url': { type: 'string' },
      'own-stack': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const local = resolve('.env.local');
  const envFile = resolve(values['app-env'] ?? (existsSync(local) ? local : REPO_ENV_FILE));
  const consoleUrl = (values['console-url'] ?? DEFAULT_CONSOLE_URL).replace(/\/+$/, '');
  const env = readEnvFile(envFile);
  // Refuse an env the app cannot run with before starting or touching any stack.
  loadSettings(env);

  out("FocusMate demo: the app's real flows against the offline stack. No AWS account, no network.");
  out();
  let target: Target;
  if (values['own-stack']) {
    target = await ownStack(env, envFile);
    out(`Stack: started ${target.description} (--own-stack).`);
  } else {
    const found = await findDevStack(env, envFile, consoleUrl);
    if (typeof found === 'string') {
      out(`No dev stack is running (${found}).`);
      target = await ownStack(env, envFile);
      out(`Stack: started ${target.description} for this run.`);
    } else {
      target = found;
      out(`Stack: using ${target.description}.`);
    }
  }

  const started = performance.now();
  try {
    const app = createApp(loadSettings(target.env), { logger: silentLogger, cwd: target.cwd });
    let tally: Tally;
    try {
      out(`App env: ${describeEnv(app, envFile)}`);
      out();
      tally = await runFlows(app, target);
    } finally {
      await app.close();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    out(`Done: 6 flows, ${tally.objects} objects stored, ${tally.emails} emails delivered, in ${seconds} s.`);
    out(`See them in the console: emails at ${target.console.mail}, objects at ${target.console.storage}`);
    if (target.temporary && values.keep) {
      out('The temporary stack keeps running; press Ctrl-C to stop it.');
      await new Promise<void>((resolveSignal) => {
        process.once('SIGINT', () => resolveSignal());
        process.once('SIGTERM', () => resolveSignal());
      });
    } else if (target.temporary) {
      out(
        'The temporary stack stops now, and its console with it. Keep it with `npm run demo -- --keep`, or run ' +
          '`npm run dev:stack` in another terminal and `npm run demo` again to browse everything afterwards.',
      );
    }
    return 0;
  } finally {
    await target.close();
  }
}

function explain(err: unknown): string {
  if (err instanceof DemoError || err instanceof StackConfigError || err instanceof ConfigError)
    return err.message;
  if (err instanceof StorageError) return `storage ${err.code}: ${err.message}`;
  if (err instanceof EmailError) return `email ${err.code}: ${err.message}`;
  if (err instanceof FlowError) return `the app refused the input (${err.code}): ${err.message}`;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`\ndemo failed: ${explain(err)}\n`);
    process.exit(1);
  },
);
