// Mail benchmark (not a test): our captured-mail server against MailDev and Mailpit (the
// pinned build from `npm run stack:install-minio -- --with-mailpit`, or MAILPIT_BINARY, or one
// on PATH), side by side in one run, loopback only, no network, bounded counts.
//
//   npx node scripts/bench-mail.ts [--quick]
//
// Each server runs in its own child process (`--serve <engine>`), so the client (nodemailer,
// in this process) does not share a CPU thread with it and memory is the server's alone.
// Columns: messages/s over a pooled transport (1 KB text; 100 KB attachment), connect-per-
// message send latency (nodemailer's default unpooled transport), final 250 → visible through
// the engine's own HTTP API (p50/p99), and RSS/heap after 10,000 stored messages.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { startMailpitProcess } from '../stack/mailpit/mailpit-process.ts';
import { resolveBinary } from '../stack/minio/binaries.ts';
import { freePort } from '../stack/util/free-port.ts';

const MARK = '@@bench ';

type Engine = 'ours' | 'ours-100ms-greeting' | 'maildev' | 'mailpit';

interface Served {
  smtpPort: number;
  apiUrl: string;
}

// ---------------------------------------------------------------- child side: one server

async function serve(engine: Engine): Promise<void> {
  // MailDev logs to stdout even when silent: our lines carry a marker.
  const out = (o: unknown) => process.stdout.write(`${MARK}${JSON.stringify(o)}\n`);
  let stop: () => Promise<void>;
  if (engine === 'maildev') {
    const { MailDev } = await import('maildev');
    const smtp = await freePort();
    const web = await freePort();
    const md = new MailDev({ smtp, web, ip: '127.0.0.1', webIp: '127.0.0.1', silent: true });
    await md.start();
    stop = () => md.stop();
    out({ smtpPort: smtp, apiUrl: `http://127.0.0.1:${web}` });
  } else {
    const { startMailServer } = await import('../stack/mail/server.ts');
    const mail = await startMailServer({
      ports: { api: 0 },
      store: { type: 'memory', maxMessages: 100_000, maxBytes: 2 ** 31 },
      promptLoopbackGreeting: engine === 'ours',
    });
    stop = () => mail.stop();
    out({ smtpPort: mail.smtpPort, apiUrl: mail.apiUrl });
  }
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'mem') {
      globalThis.gc?.();
      await new Promise((r) => setTimeout(r, 50));
      globalThis.gc?.();
      const m = process.memoryUsage();
      out({ rss: m.rss, heapUsed: m.heapUsed, external: m.external });
    } else if (line === 'stop') {
      await stop();
      out({ stopped: true });
      process.exit(0);
    }
  }
}

// ---------------------------------------------------------------- parent side: the client

interface Child {
  engine: Engine;
  served: Served;
  request(line: string): Promise<Record<string, number>>;
  stopped: Promise<unknown>;
}

/** Mailpit's own pid: the child of its supervising sh wrapper that runs the binary. */
function serverPid(wrapperPid: number, binary: string): number {
  const children = readFileSync(`/proc/${wrapperPid}/task/${wrapperPid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  const pid = children.find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0] === binary);
  if (!pid) throw new Error(`no ${binary} process under pid ${wrapperPid}`);
  return pid;
}

async function startMailpit(binary: string): Promise<Child> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-mailpit-'));
  // --max 0: keep all 10,000 messages of the memory round (Mailpit prunes beyond 500 by default).
  const mailpit = await startMailpitProcess({
    binary,
    dataDir,
    smtpPort: await freePort(),
    httpPort: await freePort(),
    maxMessages: 0,
  });
  const pid = serverPid(mailpit.pid!, binary);
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= mailpit.stop().then(() => rm(dataDir, { recursive: true, force: true }));
    return stopped;
  };
  return {
    engine: 'mailpit',
    served: { smtpPort: mailpit.smtpPort, apiUrl: mailpit.apiUrl },
    async request(line): Promise<Record<string, number>> {
      if (line === 'mem') {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        return { rss: Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024 };
      }
      await stop();
      return { stopped: 1 };
    },
    get stopped() {
      return stopped ?? Promise.resolve();
    },
  };
}

async function startChild(engine: Engine, mailpitBinary?: string): Promise<Child> {
  if (engine === 'mailpit') return startMailpit(mailpitBinary!);
  let proc: ChildProcess;
  // Extra V8 flags for every Node server child, e.g. BENCH_NODE_FLAGS=--max-semi-space-size=4
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  proc = spawn(process.execPath, ['--expose-gc', ...flags, import.meta.filename, '--serve', engine], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) throw new Error(`${engine} server exited`);
      if ((value as string).startsWith(MARK)) return JSON.parse((value as string).slice(MARK.length));
    }
  };
  const served = (await next()) as Served;
  const exited = new Promise((r) => (proc.exitCode === null ? proc.once('exit', r) : r(null)));
  return {
    engine,
    served,
    async request(line) {
      proc.stdin!.write(`${line}\n`);
      return next();
    },
    stopped: exited,
  };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

function pooled(port: number) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    pool: true,
    maxConnections: 16,
    maxMessages: Number.POSITIVE_INFINITY,
    ignoreTLS: true,
  });
}

async function throughput(port: number, count: number, make: (i: number) => SendMailOptions) {
  const tx = pooled(port);
  // Warm-up: open the pool's connections.
  await Promise.all(Array.from({ length: 16 }, (_, i) => tx.sendMail(make(-i - 1))));
  const started = performance.now();
  const window = 64;
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      const i = sent++;
      await tx.sendMail(make(i));
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  const seconds = (performance.now() - started) / 1000;
  tx.close();
  return count / seconds;
}

async function connectPerMessage(port: number, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const tx = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
    const t = performance.now();
    await tx.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `cpm ${i}`, text: 'x' });
    times.push(performance.now() - t);
    tx.close();
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function visibleLatency(engine: Engine, served: Served, count: number) {
  const tx = pooled(served.smtpPort);
  await tx.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'warm', text: 'x' });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const subject = `vis-${i}-${randomBytes(4).toString('hex')}`;
    await tx.sendMail({ from: 'a@example.com', to: 'b@example.com', subject, text: 'x' });
    const t = performance.now();
    const url =
      engine === 'maildev'
        ? `${served.apiUrl}/api/email?subject=${subject}`
        : `${served.apiUrl}/api/v1/search?query=${encodeURIComponent(`subject:${subject}`)}`;
    for (;;) {
      const body = (await (await fetch(url)).json()) as unknown[] | { messages_count: number };
      const n = Array.isArray(body) ? body.length : body.messages_count;
      if (n > 0) break;
      if (performance.now() - t > 5000) throw new Error(`${engine}: ${subject} not visible after 5 s`);
    }
    times.push(performance.now() - t);
  }
  tx.close();
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function clear(engine: Engine, served: Served) {
  const url = engine === 'maildev' ? `${served.apiUrl}/api/email/all` : `${served.apiUrl}/api/v1/messages`;
  await fetch(url, { method: 'DELETE' });
}

async function stopChild(child: Child) {
  await child.request('stop').catch(() => {});
  await child.stopped;
}

const text1k = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(18).slice(0, 1000);

/**
 * Pre-built 1 KB messages sent with nodemailer's `raw` option: the client then spends its CPU
 * on SMTP, not on MIME composition, so the servers' differences are what gets measured.
 */
function raw1k(i: number): SendMailOptions {
  return {
    envelope: { from: 'a@example.com', to: ['b@example.com'] },
    raw: `From: a@example.com\r\nTo: b@example.com\r\nSubject: t${i}\r\nMessage-ID: <${i}.${process.pid}@bench.local>\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text1k}\r\n`,
  };
}

const median = (xs: number[]) => percentile(xs, 50);

async function main() {
  const quick = process.argv.includes('--quick');
  const memoryOnly = process.argv.includes('--memory-only');
  const n = {
    rounds: quick ? 1 : 3,
    text: quick ? 500 : 2000,
    attach: quick ? 100 : 300,
    cpm: quick ? 30 : 100,
    visible: quick ? 50 : 200,
    memory: 10_000,
  };
  const engines: Engine[] = ['ours', 'ours-100ms-greeting', 'maildev'];
  const mailpit = resolveBinary('mailpit');
  if (mailpit) engines.push('mailpit');
  const full = (e: Engine) => e !== 'ours-100ms-greeting';
  const attach100k = randomBytes(100 * 1024);
  const withAttachment = (i: number): SendMailOptions => ({
    from: 'a@example.com',
    to: 'b@example.com',
    subject: `a${i}`,
    text: 'see attached',
    attachments: [{ filename: 'a.bin', content: attach100k }],
  });
  const fmt = (x: number, digits = 0) => x.toFixed(digits);
  const rows = new Map(engines.map((e) => [e, { engine: e } as Record<string, string>]));
  const samples = new Map(engines.map((e) => [e, new Map<string, number[]>()]));
  const sample = (e: Engine, key: string, value: number) => {
    const m = samples.get(e)!;
    m.set(key, [...(m.get(key) ?? []), value]);
  };

  // All engines up at once and measured in turns, round after round: a burst of load from
  // elsewhere on the machine then hits every engine instead of skewing one column.
  const children = new Map<Engine, Child>();
  for (const e of engines) children.set(e, await startChild(e, mailpit?.path));
  for (let round = 1; round <= (memoryOnly ? 0 : n.rounds); round++) {
    for (const e of engines) {
      const child = children.get(e)!;
      process.stderr.write(`bench: round ${round}/${n.rounds} ${e} …\n`);
      if (full(e)) {
        sample(e, 'msgs/s 1KB', await throughput(child.served.smtpPort, n.text, raw1k));
        await clear(e, child.served);
        sample(e, 'msgs/s 100KB att', await throughput(child.served.smtpPort, n.attach, withAttachment));
        await clear(e, child.served);
        const vis = await visibleLatency(e, child.served, n.visible);
        sample(e, '250→API p50 ms', vis.p50);
        sample(e, '250→API p99 ms', vis.p99);
        await clear(e, child.served);
      }
      const cpm = await connectPerMessage(child.served.smtpPort, n.cpm);
      sample(e, 'connect-per-msg p50 ms', cpm.p50);
      sample(e, 'connect-per-msg p99 ms', cpm.p99);
    }
  }
  for (const child of children.values()) await stopChild(child);
  for (const e of engines) {
    for (const [key, values] of samples.get(e)!) {
      rows.get(e)![key] = fmt(median(values), key.endsWith(' ms') ? 1 : 0);
    }
  }
  for (const e of engines.filter(full)) {
    // A fresh server process, so memory is that of 10,000 stored messages and nothing else.
    process.stderr.write(`bench: memory ${e} …\n`);
    const fresh = await startChild(e, mailpit?.path);
    const before = await fresh.request('mem');
    await throughput(fresh.served.smtpPort, n.memory, raw1k);
    const mem = await fresh.request('mem');
    const row = rows.get(e)!;
    row['RSS MB idle'] = fmt(before.rss! / 2 ** 20, 1);
    row['RSS MB @10k'] = fmt(mem.rss! / 2 ** 20, 1);
    row['heap MB @10k'] = mem.heapUsed !== undefined ? fmt(mem.heapUsed / 2 ** 20, 1) : 'n/a';
    row['buffers MB @10k'] = mem.external !== undefined ? fmt(mem.external / 2 ** 20, 1) : 'n/a';
    await stopChild(fresh);
  }
  const table = [...rows.values()];
  const cols = [...new Set(table.flatMap((r) => Object.keys(r)))];
  const width = cols.map((c) => Math.max(c.length, ...table.map((r) => (r[c] ?? '—').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  console.log(
    `\nmail benchmark (${quick ? 'quick' : 'full'}): node ${process.version}, loopback, pooled transport 16 connections; medians of ${n.rounds} interleaved round(s)`,
  );
  console.log(
    `server node flags: ${process.env.BENCH_NODE_FLAGS || '(none)'}; counts: ${JSON.stringify(n)}; mailpit: ${mailpit ? `${mailpit.path} (${mailpit.source}; its own process's RSS, SQLite database on disk)` : 'not installed (npm run stack:install-minio -- --with-mailpit), skipped'}`,
  );
  console.log(line(cols));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of table) console.log(line(cols.map((c) => r[c] ?? '—')));
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) await serve(process.argv[serveAt + 1] as Engine);
else await main();
