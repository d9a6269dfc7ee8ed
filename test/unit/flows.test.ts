import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type App, createApp, FlowError, loadSettings, StorageError, silentLogger } from '../../src/index.ts';
import { DEFAULT_LEAF_HOSTS, loadOrCreateLocalCa } from '../../stack/tls/local-ca.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-test-server.ts';
import { patternBytes, readAll } from '../helpers/streams.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), patternBytes(200)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), patternBytes(100)]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n');

let dir: string;
let smtp: TestSmtpServer;
let app: App;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flows-'));
  const ca = await loadOrCreateLocalCa();
  await writeFile(join(dir, 'ca.pem'), ca.caCertPem);
  smtp = await startTestSmtpServer({
    tls: ca.issue([...DEFAULT_LEAF_HOSTS]),
    auth: { user: 'app', pass: 'pw' },
  });
  env = {
    SMTP_ENABLED: 'true',
    SMTP_HOST: 'localhost',
    SMTP_PORT: String(smtp.port),
    SMTP_USER: 'app',
    SMTP_PASSWORD: 'pw',
    SMTP_TLS_CA_FILE: 'ca.pem',
    STORAGE_TYPE: 'local',
    STORAGE_LOCAL_PATH: './uploads',
    STORAGE_MAX_FILE_SIZE: String(64 * 1024),
    APP_PUBLIC_BASE_URL: 'https://focusmate.example',
  };
  app = createApp(loadSettings(env), { cwd: dir, logger: silentLogger, email: { retry: { attempts: 1 } } });
});
afterAll(async () => {
  await app?.close();
  await smtp?.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  smtp.received.length = 0;
});

describe('flows on LocalStorage and a real SMTP listener', () => {
  it('submitVerificationDocument stores the document under verifications/{teamId}/ and emails the leader', async () => {
    const result = await app.flows.submitVerificationDocument({
      teamId: 'team-1',
      teamName: '새벽 코딩',
      leaderEmail: 'leader@example.com',
      document: { fileName: '재직 증명서.pdf', contentType: 'application/pdf', body: Readable.from([PDF]) },
    });
    expect(result.documentKey).toMatch(/^verifications\/team-1\/[0-9a-f-]{36}-재직-증명서\.pdf$/);
    expect(result.size).toBe(PDF.length);
    expect(result.notification).toMatchObject({ status: 'sent', kind: 'verification-submitted' });
    expect(await readFile(join(dir, 'uploads', result.documentKey))).toEqual(PDF);
    const head = await app.storage.head(result.documentKey);
    expect(head.contentType).toBe('application/pdf');
    expect(decodeURIComponent(head.metadata['original-name']!)).toBe('재직 증명서.pdf');
    const [mail] = smtp.received;
    expect(mail!.to).toEqual(['leader@example.com']);
    expect(mail!.secure).toBe(true);
    expect(mail!.parsed.subject).toBe("[Focus Mate] '새벽 코딩' 팀 인증 요청이 접수되었습니다");
  });

  it('approveVerification and rejectVerification email the leader about an existing document', async () => {
    const { documentKey } = await app.flows.submitVerificationDocument({
      teamId: 'team-2',
      teamName: 'Alpha',
      leaderEmail: 'leader@example.com',
      document: { fileName: 'scan.png', contentType: 'image/png', body: PNG },
    });
    smtp.received.length = 0;
    const approved = await app.flows.approveVerification({
      teamName: 'Alpha',
      leaderEmail: 'a@example.com',
      documentKey,
    });
    expect(approved.notification).toMatchObject({ status: 'sent', kind: 'verification-approved' });
    const rejected = await app.flows.rejectVerification({
      teamName: 'Alpha',
      leaderEmail: 'b@example.com',
      documentKey,
      reason: '서류가 흐릿합니다',
    });
    expect(rejected.notification).toMatchObject({ status: 'sent', kind: 'verification-rejected' });
    expect(smtp.received.map((m) => m.to[0])).toEqual(['a@example.com', 'b@example.com']);
    expect(smtp.received[1]!.parsed.text).toContain('반려 사유: 서류가 흐릿합니다');
  });

  it('approve/reject refuse a missing document, and reject requires a reason', async () => {
    const missing = 'verifications/team-x/nope.pdf';
    await expect(
      app.flows.approveVerification({ teamName: 'A', leaderEmail: 'a@example.com', documentKey: missing }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      app.flows.rejectVerification({
        teamName: 'A',
        leaderEmail: 'a@example.com',
        documentKey: missing,
        reason: ' ',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'reason' });
    await expect(
      app.flows.approveVerification({ teamName: 'A', leaderEmail: 'a@example.com', documentKey: 'chat/r/x' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'documentKey' });
    expect(smtp.received).toHaveLength(0);
  });

  it('a failed notification keeps the stored document and reports the EmailError', async () => {
    const logger = recordingLogger();
    await using broken = createApp(loadSettings({ ...env, SMTP_PASSWORD: 'wrong' }), {
      cwd: dir,
      logger,
      email: { retry: { attempts: 1 } },
    });
    const result = await broken.flows.submitVerificationDocument({
      teamId: 'team-3',
      teamName: 'Beta',
      leaderEmail: 'leader@example.com',
      document: { fileName: 'a.pdf', contentType: 'application/pdf', body: PDF },
    });
    expect(result.notification.status).toBe('failed');
    expect(result.notification.status === 'failed' && result.notification.error.code).toBe('AUTH_FAILED');
    expect(await broken.storage.exists(result.documentKey)).toBe(true);
    expect(logger.entries.some((e) => e.level === 'error')).toBe(true);
  });

  it('submitVerificationDocument refuses a disallowed type, a disguised file and a declared oversize, storing nothing', async () => {
    const base = { teamId: 'team-4', teamName: 'Gamma', leaderEmail: 'leader@example.com' };
    await expect(
      app.flows.submitVerificationDocument({
        ...base,
        document: { fileName: 'x.exe', contentType: 'application/x-msdownload', body: Buffer.from('MZ') },
      }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE', field: 'document.contentType' });
    await expect(
      app.flows.submitVerificationDocument({
        ...base,
        document: {
          fileName: 'fake.pdf',
          contentType: 'application/pdf',
          body: Readable.from([Buffer.from('<html>')]),
        },
      }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE', field: 'document.body' });
    await expect(
      app.flows.submitVerificationDocument({
        ...base,
        document: { fileName: 'big.pdf', contentType: 'application/pdf', body: PDF, size: 10 * 1024 * 1024 },
      }),
    ).rejects.toBeInstanceOf(FlowError);
    expect(await app.storage.list('verifications/team-4/')).toEqual([]);
    expect(smtp.received).toHaveLength(0);
  });

  it('an oversize stream is refused by storage with TOO_LARGE and nothing is stored or emailed', async () => {
    const big = Buffer.concat([PDF, patternBytes(128 * 1024)]);
    const error = await app.flows
      .submitVerificationDocument({
        teamId: 'team-5',
        teamName: 'Delta',
        leaderEmail: 'leader@example.com',
        document: { fileName: 'big.pdf', contentType: 'application/pdf', body: Readable.from([big]) },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('TOO_LARGE');
    expect(await app.storage.list('verifications/team-5/')).toEqual([]);
    expect(smtp.received).toHaveLength(0);
  });

  it('inviteMember emails an accept link under APP_PUBLIC_BASE_URL carrying a fresh token', async () => {
    const result = await app.flows.inviteMember({
      teamId: 'team-6',
      teamName: '알파',
      inviterName: '김리더',
      inviteeEmail: 'member@example.com',
    });
    expect(result.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.acceptUrl).toBe(`https://focusmate.example/invitations/accept?token=${result.token}`);
    expect(result.email).toMatchObject({ status: 'sent', kind: 'team-invitation' });
    const [mail] = smtp.received;
    expect(mail!.to).toEqual(['member@example.com']);
    expect(mail!.parsed.text).toContain(result.acceptUrl);
    expect(mail!.parsed.html).toContain(`href="${result.acceptUrl}"`);
  });

  it('inviteMember throws the EmailError: an invitation that was not sent did not happen', async () => {
    await expect(
      app.flows.inviteMember({ teamId: 'team-6', teamName: 'A', inviteeEmail: 'not an address' }),
    ).rejects.toMatchObject({ code: 'INVALID_ADDRESS' });
  });

  it('attachFileToChat stores under chat/{roomId}/ with the declared type (no presigned link on local disk)', async () => {
    const result = await app.flows.attachFileToChat({
      roomId: 'room-9',
      file: {
        fileName: '회의록 v2.txt',
        contentType: 'text/plain; charset=utf-8',
        body: Buffer.from('안건 1'),
      },
    });
    expect(result.key).toMatch(/^chat\/room-9\/[0-9a-f-]{36}-회의록-v2\.txt$/);
    expect(result).toMatchObject({
      size: Buffer.byteLength('안건 1'),
      contentType: 'text/plain',
      downloadUrl: undefined,
    });
    const got = await app.storage.get(result.key);
    expect((await readAll(got.body)).toString()).toBe('안건 1');
    await expect(
      app.flows.attachFileToChat({
        roomId: '../etc',
        file: { fileName: 'a.txt', contentType: 'text/plain', body: Buffer.from('x') },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'roomId' });
  });

  it('setTeamProfileImage stores under the public teams/{teamId}/profile/ prefix and replaces the previous image', async () => {
    const first = await app.flows.setTeamProfileImage({
      teamId: 'team-7',
      image: { fileName: 'logo.png', contentType: 'image/png', body: PNG },
    });
    expect(first.key).toMatch(/^teams\/team-7\/profile\/[0-9a-f-]{36}\.png$/);
    expect(first.replaced).toEqual([]);
    expect(first.publicUrl).toContain(first.key);
    const second = await app.flows.setTeamProfileImage({
      teamId: 'team-7',
      image: { fileName: 'photo.jpeg', contentType: 'image/jpeg', body: Readable.from([JPEG]) },
    });
    expect(second.key).toMatch(/\.jpg$/);
    expect(second.replaced).toEqual([first.key]);
    expect((await app.storage.list('teams/team-7/profile/')).map((e) => e.key)).toEqual([second.key]);
    expect((await readAll((await app.storage.get(second.key)).body)).equals(JPEG)).toBe(true);
  });

  it('setTeamProfileImage accepts images only, checking the bytes as well as the declared type', async () => {
    await expect(
      app.flows.setTeamProfileImage({
        teamId: 'team-8',
        image: { fileName: 'doc.pdf', contentType: 'application/pdf', body: PDF },
      }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE' });
    await expect(
      app.flows.setTeamProfileImage({
        teamId: 'team-8',
        image: { fileName: 'evil.png', contentType: 'image/png', body: Buffer.from('<svg onload=alert(1)>') },
      }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE', field: 'image.body' });
    expect(await app.storage.list('teams/team-8/')).toEqual([]);
  });
});
