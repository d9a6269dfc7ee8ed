// Benchmark: the embedded S3 server (memory and disk) against s3rver and real MinIO, the same
// clients for all, side by side in one run. Every engine runs as its own process, so memory
// (RSS and peak of the server process tree) is comparable. PUT and GET ops/s for 1 KiB and
// 64 KiB objects at concurrency 1 and 16, twice: with the AWS SDK v3 (what the app sees) and
// with a lean SigV4 client (scripts/bench/lean-client.ts; on 2 cores the SDK's own CPU per
// request exceeds every server's, so only these rows compare servers). Under each lean row and
// each 64 MiB row, the server's own CPU per op (its process tree, from /proc), apart from the
// load generator sharing the cores. MB/s for one 64 MiB object (SDK, median of 5 after one untimed warm-up). Bounded
// (time and count per row), loopback only.
//
// The engines run at once and take turns, row by row: each row is three samples per engine,
// in a rotated order, and the median counts. This host is shared and noisy (one engine's row
// moved 3x between runs of the old one-engine-after-another bench), so a slow minute now falls
// on every engine. Between samples the bench waits for the engine to be quiet (`sync`, and its
// process tree idle), so an engine's writeback or checkpoint never lands in another's time.
// Under the table, the floor a syncing single-stream PUT stands on: one write + fdatasync on
// this disk (scripts/bench/fsync-floor.ts).
//
// Start-up, every probe a warm client in this process (its first-use cost is paid before any
// clock starts):
// - own process: spawn to the first answered signed ListBuckets (node boot and TypeScript
//   loading included for ours, the binary's start for MinIO);
// - in-process, first start: how startStack() starts ours, in a fresh process (no warm JIT,
//   no second start), from startS3Server() to the first answer, median of 5 such processes;
//   the modules are loaded already (a program imports them before it starts anything); the
//   next row adds their loading;
// - in-process, a later start: a second start in the same process, as each test file after
//   the first in a test run.
//   For MinIO and s3rver every row is the own-process start, which is how the stack starts them.
//
// Run: npm run bench:s3 [-- --engines ours-memory,minio] [--sections small,big,startup]
//      [--clients sdk,raw]
//
// Fairness note: s3rver rejects the SDK's default streaming checksums, so every engine gets a
// client with requestChecksumCalculation / responseChecksumValidation = WHEN_REQUIRED. Our
// server still computes MD5 and verifies SigV4; MinIO does the same work.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { execa, type ResultPromise } from 'execa';
import { resolveBinary } from '../stack/minio/binaries.ts';
import { startMinioProcess } from '../stack/minio/minio-process.ts';
import { freePort } from '../stack/util/free-port.ts';
import { fsyncFloor } from './bench/fsync-floor.ts';
import { leanClient } from './bench/lean-client.ts';
import { treeCpuMs, treeMemory } from './bench/proc-memory.ts';

const ROW_MS = 800;
const ROUNDS = 3;
const ROW_MAX_OPS = 20_000;
const BIG = 64 * 1024 * 1024;
const BIG_RUNS = 5;
const ROOT = { accessKeyId: 'benchroot', secretAccessKey: 'benchroot-secret' };

interface Engine {
  name: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  pid: number;
  /** Spawn to first answered ListBuckets, ms. */
  startupMs: number;
  /** In-process, first start in a fresh process: startS3Server() to the first answer (ours only). */
  inProcessMs?: number;
  /** The same, the server modules' loading included (ours only). */
  inProcessWithImportMs?: number;
  /** A second start in the same process, to its first answer (ours only). */
  inProcessLaterMs?: number;
  stop(): Promise<void>;
}

/** Wall-clock ms with sub-ms precision, comparable across processes on this machine. */
const wallNow = () => performance.timeOrigin + performance.now();

/**
 * Waits until the engine answers a signed ListBuckets: the start-up time every engine pays.
 * Returns the wall-clock time of the answer. The probe is the lean client (a new SDK client
 * adds ~5 ms of its own set-up to its first request, more than our server's whole answer).
 */
async function firstAnswer(e: Pick<Engine, 'endpoint' | 'accessKeyId' | 'secretAccessKey'>): Promise<number> {
  const probe = leanClient(e.endpoint, e);
  for (;;) {
    try {
      await probe.listBuckets();
      const at = wallNow();
      probe.close();
      return at;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** The probe's code runs once against a stub, so no engine's start-up pays its first use. */
async function warmProbe(): Promise<void> {
  const stub = createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/xml');
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>',
    );
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  const { port } = stub.address() as { port: number };
  await firstAnswer({ endpoint: `http://127.0.0.1:${port}`, ...ROOT });
  await new Promise((r) => stub.close(r));
}

/** A node child that prints {"url": ...} when listening. */
async function nodeChild(
  name: string,
  args: string[],
  creds: typeof ROOT,
): Promise<Engine & { line: Record<string, unknown>; answeredAt: number }> {
  const started = wallNow();
  const child: ResultPromise = execa(process.execPath, args, {
    stdout: 'pipe',
    stderr: 'inherit',
    reject: false,
  });
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', () => reject(new Error(`${name} exited before it was ready`)));
  });
  const line = JSON.parse(first) as { url: string };
  const base = {
    name,
    endpoint: line.url,
    ...creds,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await child;
    },
  };
  const answeredAt = await firstAnswer(base);
  return { ...base, line, answeredAt, startupMs: answeredAt - started };
}

const IN_PROCESS_RUNS = 5;

/**
 * Data directories, removed only after every engine has run. On ext4 without a journal (this
 * machine) an inode freed in the last minute (five while its table block is dirty) is skipped,
 * one by one, by every file creation after it: removing one engine's thousands of files made
 * the next engine's creations several times slower, whichever engine came next.
 */
const dataDirs: string[] = [];

async function dataDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dataDirs.push(dir);
  return dir;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;

/**
 * startS3Server in a fresh process (a first start) to its first answer: what startStack() pays
 * the first time in a process; then a second start in the same process (each later test file
 * of a run). Median of IN_PROCESS_RUNS fresh processes, each start on a new storage directory.
 */
async function inProcessStartup(
  dir: string | undefined,
): Promise<{ ms: number; withImportMs: number; laterMs: number }> {
  const first: number[] = [];
  const withImport: number[] = [];
  const later: number[] = [];
  for (let i = 0; i < IN_PROCESS_RUNS; i++) {
    const args = ['scripts/bench/inproc-start.ts', ROOT.accessKeyId, ROOT.secretAccessKey];
    if (dir) args.push(join(dir, `inproc-${i}`));
    const child: ResultPromise = execa(process.execPath, args, {
      stdout: 'pipe',
      stderr: 'inherit',
      reject: false,
    });
    const lines = createInterface({ input: child.stdout! });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', () => reject(new Error('in-process start-up child exited early'))),
    );
    exited.catch(() => {});
    const next = async () => {
      const text = await Promise.race([
        new Promise<string>((resolve) => lines.once('line', resolve)),
        exited,
      ]);
      const line = JSON.parse(text) as { url: string; importStarted: number; startStarted: number };
      const answeredAt = await firstAnswer({ endpoint: line.url, ...ROOT });
      return { ...line, answeredAt };
    };
    const a = await next();
    first.push(a.answeredAt - a.startStarted);
    withImport.push(a.answeredAt - a.importStarted);
    child.stdin!.write('again\n');
    const b = await next();
    later.push(b.answeredAt - b.startStarted);
    child.kill('SIGTERM');
    await child;
  }
  return { ms: median(first), withImportMs: median(withImport), laterMs: median(later) };
}

async function ours(kind: 'memory' | 'disk'): Promise<Engine> {
  const dir = kind === 'disk' ? await dataDir('bench-s3-') : undefined;
  const inProc = await inProcessStartup(dir);
  const args = [
    'scripts/s3-server.ts',
    '--access-key',
    ROOT.accessKeyId,
    '--secret-key',
    ROOT.secretAccessKey,
  ];
  if (dir) args.push('--dir', dir);
  const engine = await nodeChild(`ours (${kind})`, args, ROOT);
  return {
    ...engine,
    inProcessMs: inProc.ms,
    inProcessWithImportMs: inProc.withImportMs,
    inProcessLaterMs: inProc.laterMs,
  };
}

async function s3rver(): Promise<Engine> {
  const dir = await dataDir('bench-s3rver-');
  return nodeChild('s3rver', ['scripts/bench/s3rver-child.ts', dir], {
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  });
}

async function minio(): Promise<Engine> {
  const binary = resolveBinary('minio');
  if (!binary) throw new Error('minio is not installed (npm run stack:install-minio)');
  const dir = await dataDir('bench-minio-');
  const started = wallNow();
  const proc = await startMinioProcess({
    binary: binary.path,
    dataDir: dir,
    port: await freePort(),
    rootUser: ROOT.accessKeyId,
    rootPassword: ROOT.secretAccessKey,
  });
  const base = {
    name: 'minio',
    endpoint: proc.url,
    ...ROOT,
    pid: proc.pid!,
    async stop() {
      await proc.stop();
    },
  };
  return { ...base, startupMs: (await firstAnswer(base)) - started };
}

function clientFor(e: Pick<Engine, 'endpoint' | 'accessKeyId' | 'secretAccessKey'>): S3Client {
  return new S3Client({
    endpoint: e.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 32 }) }),
  });
}

/**
 * Runs `op` with `concurrency` workers until ROW_MS or ROW_MAX_OPS. Returns ops/s, the ops
 * done and the server's CPU (its process tree, user + system) meanwhile in ms.
 */
async function rate(
  pid: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<{ opsPerSec: number; ops: number; cpuMs: number }> {
  let next = 0;
  const cpuBefore = treeCpuMs(pid);
  const started = performance.now();
  const deadline = started + ROW_MS;
  const worker = async () => {
    while (performance.now() < deadline && next < ROW_MAX_OPS) await op(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const opsPerSec = next / ((performance.now() - started) / 1000);
  return { opsPerSec, ops: next, cpuMs: treeCpuMs(pid) - cpuBefore };
}

const { values: args } = parseArgs({
  options: {
    engines: { type: 'string', default: 'ours-memory,ours-disk,s3rver,minio' },
    sections: { type: 'string', default: 'small,big,startup' },
    clients: { type: 'string', default: 'sdk,raw' },
  },
});
const sections = new Set(args.sections.split(','));
const clients = args.clients.split(',') as ('sdk' | 'raw')[];

/** One client's PUT and GET of a small object, as the rows below time them. */
interface SmallOps {
  put(key: string, body: Buffer): Promise<void>;
  get(key: string): Promise<void>;
  close(): void;
}

function smallOps(e: Engine, kind: 'sdk' | 'raw'): SmallOps {
  if (kind === 'raw') {
    const c = leanClient(e.endpoint, e);
    return {
      put: (key, body) => c.put('bench', key, body),
      get: async (key) => {
        await c.get('bench', key);
      },
      close: () => c.close(),
    };
  }
  const s3 = clientFor(e);
  return {
    async put(key, body) {
      await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: key, Body: body }));
    },
    async get(key) {
      const r = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: key }));
      await r.Body!.transformToByteArray();
    },
    close: () => s3.destroy(),
  };
}

/**
 * After each sample, until the engine is quiet: its process tree idle (a disk engine's
 * checkpoint, MinIO's scanner), then the kernel's dirty pages written back (`sync`: an engine
 * that never syncs would otherwise leave its writeback to whichever sample runs next), again
 * until a `sync` finds next to nothing to write, so that no engine's leftovers land in
 * another's time. Bounded: at most SETTLE_MAX_MS.
 */
const SETTLE_MAX_MS = 3000;
const QUICK_SYNC_MS = 20;
async function settle(e: Engine): Promise<void> {
  const until = performance.now() + SETTLE_MAX_MS;
  for (;;) {
    const before = treeCpuMs(e.pid);
    await new Promise((r) => setTimeout(r, 100));
    // USER_HZ ticks: under two in 100 ms is idle.
    if (treeCpuMs(e.pid) - before >= 20 && performance.now() < until) continue;
    const t = performance.now();
    await execa('sync', [], { reject: false });
    if (performance.now() - t < QUICK_SYNC_MS || performance.now() > until) return;
  }
}

/** Engines that failed an operation: reported, and left out of the rows after it. */
const failed = new Set<Engine>();
function fail(e: Engine, err: unknown): void {
  failed.add(e);
  process.stderr.write(`  ${e.name} failed: ${(err as Error).message}\n`);
}

/** The engines in a different order each round, so no engine always runs first or last. */
const rotated = <T>(xs: T[], round: number): T[] => xs.map((_, i) => xs[(i + round) % xs.length]!);

/** Samples of one row, an engine's: ops/s of each, and the server CPU per op over all. */
interface Samples {
  opsPerSec: number[];
  ops: number;
  cpuMs: number;
}

function record(out: Map<string, number>, row: string, s: Samples, cpuRow?: string): void {
  out.set(row, median(s.opsPerSec));
  if (cpuRow) out.set(cpuRow, (s.cpuMs * 1000) / s.ops);
}

/**
 * The small-object rows, engines interleaved: each row is ROUNDS samples per engine, the
 * engines taking turns (rotated each round), so a noisy minute on this shared host falls on
 * every engine rather than on whichever one ran then. The median sample is the row's value.
 */
async function smallRows(live: Engine[], results: Map<string, Map<string, number>>): Promise<void> {
  for (const kind of clients) {
    const ops = new Map(live.map((e) => [e, smallOps(e, kind)]));
    const tag = kind === 'sdk' ? 'SDK' : 'raw';
    for (const size of [1024, 64 * 1024]) {
      const body = Buffer.alloc(size, 7);
      const label = size === 1024 ? '1 KiB' : '64 KiB';
      for (const c of [1, 16]) {
        const prefix = `o/${kind}/${label}/${c}`;
        const written = new Map(live.map((e) => [e, 0]));
        // Keys go on from sample to sample (500 of them, then overwritten), so every engine's
        // samples mix new keys and overwrites alike, whatever its speed.
        const done = new Map(live.map((e) => [e, 0]));
        for (const name of ['PUT', 'GET'] as const) {
          const samples = new Map<Engine, Samples>(live.map((e) => [e, { opsPerSec: [], ops: 0, cpuMs: 0 }]));
          for (let round = 0; round < ROUNDS; round++) {
            for (const e of rotated(live, round)) {
              if (failed.has(e)) continue;
              const o = ops.get(e)!;
              const from = done.get(e)!;
              // Keys below `written` all exist (rate() awaits every op it started); an engine
              // slow enough to write fewer than 100 (MinIO fsyncs) is read back on those only.
              const keys = Math.min(100, written.get(e)!);
              let r: Awaited<ReturnType<typeof rate>>;
              try {
                r =
                  name === 'PUT'
                    ? await rate(e.pid, c, async (i) => {
                        await o.put(`${prefix}/${(from + i) % 500}`, body);
                        written.set(e, Math.max(written.get(e)!, Math.min(from + i + 1, 500)));
                      })
                    : await rate(e.pid, c, (i) => o.get(`${prefix}/${(from + i) % keys}`));
              } catch (err) {
                fail(e, err);
                continue;
              }
              done.set(e, from + r.ops);
              const s = samples.get(e)!;
              s.opsPerSec.push(r.opsPerSec);
              s.ops += r.ops;
              s.cpuMs += r.cpuMs;
              await settle(e);
            }
          }
          // GETs start from the first key again.
          for (const e of live) done.set(e, 0);
          for (const e of live) {
            if (failed.has(e)) continue;
            // What the server spent per op, apart from the load generator on the same cores.
            const cpuRow = kind === 'raw' ? `  server CPU per op (µs), ${name} ${label} c=${c}` : undefined;
            record(results.get(e.name)!, `${name} ${label} c=${c} (ops/s, ${tag})`, samples.get(e)!, cpuRow);
          }
        }
      }
    }
    for (const o of ops.values()) o.close();
  }
}

/**
 * One 64 MiB PUT and GET per engine per run, the engines taking turns; medians of BIG_RUNS.
 * First one untimed PUT and GET each: a server's first large body pays one-time costs (our
 * hash worker's start, every engine's cold code paths) that the start-up rows already count,
 * and one sample in three carrying them made the median the slower of the other two.
 */
async function bigRows(live: Engine[], results: Map<string, Map<string, number>>): Promise<void> {
  const big = Buffer.alloc(BIG, 3);
  for (const e of live) {
    if (failed.has(e)) continue;
    const s3 = clientFor(e);
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big', Body: big }));
      await (
        await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'big' }))
      ).Body!.transformToByteArray();
    } catch (err) {
      fail(e, err);
    } finally {
      s3.destroy();
    }
    await settle(e);
  }
  const runs = new Map(
    live.map((e) => [
      e,
      { put: [] as number[], get: [] as number[], putCpu: [] as number[], getCpu: [] as number[] },
    ]),
  );
  for (let i = 0; i < BIG_RUNS; i++) {
    for (const e of rotated(live, i)) {
      if (failed.has(e)) continue;
      const s3 = clientFor(e);
      const r = runs.get(e)!;
      try {
        let cpu = treeCpuMs(e.pid);
        let t = performance.now();
        await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big', Body: big }));
        r.put.push(BIG / 1e6 / ((performance.now() - t) / 1000));
        r.putCpu.push(treeCpuMs(e.pid) - cpu);
        await settle(e);
        cpu = treeCpuMs(e.pid);
        t = performance.now();
        const got = await (
          await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'big' }))
        ).Body!.transformToByteArray();
        if (got.length !== BIG) throw new Error(`${e.name}: 64 MiB GET returned ${got.length} bytes`);
        r.get.push(BIG / 1e6 / ((performance.now() - t) / 1000));
        r.getCpu.push(treeCpuMs(e.pid) - cpu);
      } catch (err) {
        fail(e, err);
      } finally {
        s3.destroy();
      }
      await settle(e);
    }
  }
  for (const e of live) {
    if (failed.has(e)) continue;
    const r = runs.get(e)!;
    const out = results.get(e.name)!;
    // Every sample, beside the medians: how far apart the engines' runs lie shows how much a
    // ratio can be trusted on a shared host.
    const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
    process.stderr.write(`  ${e.name}, 64 MiB MB/s samples: PUT ${list(r.put)}; GET ${list(r.get)}\n`);
    out.set(`PUT 64 MiB (MB/s, median of ${BIG_RUNS})`, median(r.put));
    out.set('  server CPU per op (ms), PUT 64 MiB', median(r.putCpu));
    out.set(`GET 64 MiB (MB/s, median of ${BIG_RUNS})`, median(r.get));
    out.set('  server CPU per op (ms), GET 64 MiB', median(r.getCpu));
  }
}

function closingRows(e: Engine, out: Map<string, number>): void {
  const mem = treeMemory(e.pid);
  if (sections.has('startup')) {
    out.set('start-up, own process (ms)', e.startupMs);
    out.set('start-up in-process, first start (ms)', e.inProcessMs ?? e.startupMs);
    out.set('  the same, module loading included (ms)', e.inProcessWithImportMs ?? e.startupMs);
    out.set('start-up in-process, a later start (ms)', e.inProcessLaterMs ?? e.startupMs);
  }
  out.set('memory after run, RSS (MB)', mem.rssMb);
  out.set('memory peak, VmHWM (MB)', mem.peakMb);
}

const ENGINES: Record<string, [string, () => Promise<Engine>]> = {
  'ours-memory': ['ours (memory)', () => ours('memory')],
  'ours-disk': ['ours (disk)', () => ours('disk')],
  s3rver: ['s3rver', s3rver],
  minio: ['minio', minio],
};
const engines = args.engines.split(',').map((k) => {
  const e = ENGINES[k];
  if (!e) throw new Error(`unknown engine ${k} (one of ${Object.keys(ENGINES).join(', ')})`);
  return e;
});
await warmProbe();
// Before any engine runs or any data directory is removed (both slow this disk down).
const floors = sections.has('small') ? [await fsyncFloor(1024), await fsyncFloor(64 * 1024)] : [];
// Every engine started (one at a time, so start-ups do not overlap), then the rows run with
// the engines taking turns.
const live: Engine[] = [];
const results = new Map<string, Map<string, number>>();
try {
  for (const [name, start] of engines) {
    process.stderr.write(`starting ${name}...\n`);
    results.set(name, new Map());
    let e: Engine;
    try {
      e = await start();
    } catch (err) {
      process.stderr.write(`  ${name} failed to start: ${(err as Error).message}\n`);
      continue;
    }
    live.push(e);
    const s3 = clientFor(e);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    } catch (err) {
      fail(e, err);
    } finally {
      s3.destroy();
    }
  }
  if (sections.has('small')) {
    process.stderr.write(`small objects (${ROUNDS} rounds per row)...\n`);
    await smallRows(live, results);
  }
  if (sections.has('big')) {
    process.stderr.write('64 MiB objects...\n');
    await bigRows(live, results);
  }
  for (const e of live) closingRows(e, results.get(e.name)!);
} finally {
  for (const e of live) await e.stop();
}
for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
// Every row any engine has, in the order they were measured.
const rows = [...new Set([...results.values()].flatMap((m) => [...m.keys()]))];
const base = results.get('s3rver');
const minioRow = results.get('minio');
const header = ['', ...engines.map(([n]) => n), 'memory ÷ s3rver', 'disk ÷ s3rver', 'memory ÷ minio'];
const table = rows.map((row) => {
  const v = (n: string) => results.get(n)?.get(row);
  const fmt = (x: number | undefined) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  // Throughput: higher is better; start-up and memory: lower is better, so the ratio is
  // inverted there and always reads "how many times better than the baseline".
  const lowerIsBetter = /ms\)|MB\)$|\(µs\)/.test(row) && !/MB\/s/.test(row);
  const ratio = (n: string, against: Map<string, number> | undefined) => {
    const a = v(n);
    const b = against?.get(row);
    if (a === undefined || !b) return '—';
    return `${(lowerIsBetter ? b / a : a / b).toFixed(2)}×`;
  };
  return [
    row,
    ...engines.map(([n]) => fmt(v(n))),
    ratio('ours (memory)', base),
    ratio('ours (disk)', base),
    ratio('ours (memory)', minioRow),
  ];
});
const widths = header.map((_, i) => Math.max(...[header, ...table].map((r) => r[i]!.length)));
const line = (r: string[]) =>
  `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of table) console.log(line(r));
console.log(
  '\nRatios read "times better than the baseline": throughput ours/theirs, start-up and memory theirs/ours.',
);
console.log(
  `Ops/s rows: the median of ${ROUNDS} samples of ${ROW_MS} ms per engine, the engines taking turns.`,
);
for (const f of floors) {
  console.log(
    `This disk, one ${f.size / 1024} KiB write + fdatasync: ${f.backToBackMs.toFixed(3)} ms back to back, ` +
      `${f.afterIdleMs.toFixed(3)} ms after 1 ms idle (a single-stream PUT that syncs waits this; s3rver never syncs).`,
  );
}
