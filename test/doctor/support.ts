// Shared by the doctor tests: run the doctor in-process, the app's adapters on the same env, and
// servers that accept a connection and never say a word (the guide's "Connection timeout").
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../src/config/index.ts';
import { createEmailService, EmailError } from '../../src/email/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { createStorage, StorageError } from '../../src/storage/index.ts';
import type { Check } from '../../stack/doctor/check.ts';
import { runDoctor } from '../../stack/doctor/run-doctor.ts';
import { loadOrCreateLocalCa } from '../../stack/tls/local-ca.ts';

/** For the cases that wait for a timeout: short, so the folder stays fast. */
export const TIMEOUT_MS = 400;
/** For everything that should answer: generous, so a loaded CI machine does not flake. */
export const ANSWER_MS = 5000;

export interface DoctorRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface JsonRun extends DoctorRun {
  report: { ok: boolean; exitCode: number; source: string; checks: Check[] };
  check(id: string): Check;
}

export async function doctor(
  env: Record<string, string | undefined>,
  args: string[] = [],
  timeoutMs = ANSWER_MS,
): Promise<DoctorRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runDoctor(['--from-environment', '--timeout', String(timeoutMs), ...args], env, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { exitCode, stdout, stderr };
}

export async function doctorJson(
  env: Record<string, string | undefined>,
  args: string[] = [],
  timeoutMs = ANSWER_MS,
): Promise<JsonRun> {
  const run = await doctor(env, ['--json', ...args], timeoutMs);
  const report = JSON.parse(run.stdout) as JsonRun['report'];
  return {
    ...run,
    report,
    check(id) {
      const found = report.checks.find((c) => c.id === id);
      if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
      return found;
    },
  };
}

/** What the app's email service says about this env (verify: connect, TLS, AUTH). */
export async function appEmailError(
  env: Record<string, string | undefined>,
  timeoutMs = ANSWER_MS,
): Promise<EmailError> {
  const service = createEmailService(loadSettings(env).smtp, {
    timeouts: { connectionMs: timeoutMs, greetingMs: timeoutMs, socketMs: timeoutMs },
    retry: { attempts: 1 },
    logger: silentLogger,
  });
  try {
    await service.verify();
  } catch (error) {
    if (error instanceof EmailError) return error;
    throw error;
  } finally {
    service.close();
  }
  throw new Error("the app's email service verified the settings");
}

/** What the app's storage says when it stores a file with this env. */
export async function appStorageError(env: Record<string, string | undefined>): Promise<StorageError> {
  await using storage = createStorage(loadSettings(env).storage, { maxAttempts: 1 });
  try {
    await storage.put('verifications/team-a/doc.pdf', Buffer.from('%PDF-1.7'), {
      contentType: 'application/pdf',
    });
  } catch (error) {
    if (error instanceof StorageError) return error;
    throw error;
  }
  throw new Error("the app's storage stored the file");
}

export interface StallingServer extends AsyncDisposable {
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
}

/** Accepts TCP connections and never writes a byte: a firewall or proxy that stalls. */
export async function startStallingServer(): Promise<StallingServer> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => count,
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A PEM file of a CA that signed nothing the stack serves. */
export async function otherCaFile(): Promise<{ path: string } & AsyncDisposable> {
  const dir = await mkdtemp(join(tmpdir(), 'doctor-ca-'));
  const path = join(dir, 'other-ca.pem');
  await writeFile(path, (await loadOrCreateLocalCa()).caCertPem);
  return { path, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

/** A port nothing listens on (bound, read, released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
