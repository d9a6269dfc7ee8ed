// Benchmark: the embedded S3 server (memory and disk) against s3rver and real MinIO, the same
// AWS SDK v3 client for all, side by side in one run. Every engine runs as its own process,
// so start-up time (spawn to first answered request) and memory (RSS and peak of the
// server process tree) are comparable. PUT and GET ops/s for 1 KiB and 64 KiB objects at
// concurrency 1 and 16, and MB/s for one 64 MiB object. Bounded (time and count per row),
// loopback only. Run: npm run bench:s3
//
// Fairness note: s3rver rejects the SDK's default streaming checksums, so every engine gets a
// client with requestChecksumCalculation / responseChecksumValidation = WHEN_REQUIRED. Our
// server still computes MD5 and verifies SigV4; MinIO does the same work.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { execa, type ResultPromise } from 'execa';
import { resolveBinary } from '../stack/minio/binaries.ts';
import { startMinioProcess } from '../stack/minio/minio-process.ts';
import { userArn } from '../stack/s3/identity.ts';
import { startS3Server } from '../stack/s3/server.ts';
import { freePort } from '../stack/util/free-port.ts';
import { treeMemory } from './bench/proc-memory.ts';

const ROW_MS = 1500;
const ROW_MAX_OPS = 5000;
const BIG = 64 * 1024 * 1024;
const ROOT = { accessKeyId: 'benchroot', secretAccessKey: 'benchroot-secret' };

interface Engine {
  name: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  pid: number;
  /** Spawn to first answered ListBuckets, ms. */
  startupMs: number;
  /** How the stack starts it: in-process for ours (startStack), the same process start for others. */
  stackStartupMs?: number;
  stop(): Promise<void>;
}

/** Waits until the engine answers a signed request: the start-up time every engine pays. */
async function firstAnswer(e: Omit<Engine, 'startupMs'>, started: number): Promise<number> {
  const s3 = clientFor({ ...e, startupMs: 0 });
  for (;;) {
    try {
      await s3.send(new ListBucketsCommand({}));
      s3.destroy();
      return performance.now() - started;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** A node child that prints {"url": ...} when listening. */
async function nodeChild(
  name: string,
  args: string[],
  creds: typeof ROOT,
  cleanup: () => Promise<void>,
): Promise<Engine> {
  const started = performance.now();
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
  const { url } = JSON.parse(first) as { url: string };
  const base = {
    name,
    endpoint: url,
    ...creds,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await child;
      await cleanup();
    },
  };
  return { ...base, startupMs: await firstAnswer(base, started) };
}

/** startS3Server in this process to its first answered request: what startStack() pays. */
async function inProcessStartup(dir: string | undefined): Promise<number> {
  const started = performance.now();
  const server = await startS3Server({
    identities: [{ name: 'root', arn: userArn('root'), ...ROOT, root: true }],
    storage: dir ? { type: 'disk', dir: join(dir, 'inproc') } : 'memory',
  });
  const ms = await firstAnswer(
    { name: 'in-process', endpoint: server.url, ...ROOT, pid: process.pid, stop: async () => {} },
    started,
  );
  await server.stop();
  return ms;
}

async function ours(kind: 'memory' | 'disk'): Promise<Engine> {
  const dir = kind === 'disk' ? await mkdtemp(join(tmpdir(), 'bench-s3-')) : undefined;
  const stackStartupMs = await inProcessStartup(dir);
  const args = [
    'scripts/s3-server.ts',
    '--access-key',
    ROOT.accessKeyId,
    '--secret-key',
    ROOT.secretAccessKey,
  ];
  if (dir) args.push('--dir', dir);
  const engine = await nodeChild(`ours (${kind})`, args, ROOT, async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return { ...engine, stackStartupMs };
}

async function s3rver(): Promise<Engine> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-s3rver-'));
  return nodeChild(
    's3rver',
    ['scripts/bench/s3rver-child.ts', dir],
    { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    () => rm(dir, { recursive: true, force: true }),
  );
}

async function minio(): Promise<Engine> {
  const binary = resolveBinary('minio');
  if (!binary) throw new Error('minio is not installed (npm run stack:install-minio)');
  const dir = await mkdtemp(join(tmpdir(), 'bench-minio-'));
  const started = performance.now();
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
      await rm(dir, { recursive: true, force: true });
    },
  };
  return { ...base, startupMs: await firstAnswer(base, started) };
}

function clientFor(e: Engine): S3Client {
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

/** Runs `op` with `concurrency` workers until ROW_MS or ROW_MAX_OPS; returns ops/s. */
async function rate(concurrency: number, op: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const deadline = started + ROW_MS;
  const worker = async () => {
    while (performance.now() < deadline && next < ROW_MAX_OPS) await op(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next / ((performance.now() - started) / 1000);
}

async function bench(e: Engine): Promise<Map<string, number>> {
  const s3 = clientFor(e);
  const out = new Map<string, number>();
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  for (const size of [1024, 64 * 1024]) {
    const body = Buffer.alloc(size, 7);
    const label = size === 1024 ? '1 KiB' : '64 KiB';
    for (const c of [1, 16]) {
      out.set(
        `PUT ${label} c=${c} (ops/s)`,
        await rate(c, async (i) => {
          await s3.send(
            new PutObjectCommand({ Bucket: 'bench', Key: `o/${label}/${c}/${i % 500}`, Body: body }),
          );
        }),
      );
      out.set(
        `GET ${label} c=${c} (ops/s)`,
        await rate(c, async (i) => {
          const r = await s3.send(
            new GetObjectCommand({ Bucket: 'bench', Key: `o/${label}/${c}/${i % 100}` }),
          );
          await r.Body!.transformToByteArray();
        }),
      );
    }
  }
  const big = Buffer.alloc(BIG, 3);
  let t = performance.now();
  await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big', Body: big }));
  out.set('PUT 64 MiB (MB/s)', BIG / 1e6 / ((performance.now() - t) / 1000));
  t = performance.now();
  const r = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'big' }));
  const got = await r.Body!.transformToByteArray();
  if (got.length !== BIG) throw new Error(`${e.name}: 64 MiB GET returned ${got.length} bytes`);
  out.set('GET 64 MiB (MB/s)', BIG / 1e6 / ((performance.now() - t) / 1000));
  s3.destroy();
  const mem = treeMemory(e.pid);
  out.set('start-up, own process (ms)', e.startupMs);
  out.set('start-up as the stack starts it (ms)', e.stackStartupMs ?? e.startupMs);
  out.set('memory after run, RSS (MB)', mem.rssMb);
  out.set('memory peak, VmHWM (MB)', mem.peakMb);
  return out;
}

const engines: [string, () => Promise<Engine>][] = [
  ['ours (memory)', () => ours('memory')],
  ['ours (disk)', () => ours('disk')],
  ['s3rver', s3rver],
  ['minio', minio],
];
const results = new Map<string, Map<string, number>>();
for (const [name, start] of engines) {
  process.stderr.write(`benchmarking ${name}...\n`);
  const e = await start();
  try {
    results.set(name, await bench(e));
  } catch (err) {
    process.stderr.write(`  ${name} failed: ${(err as Error).message}\n`);
  } finally {
    await e.stop();
  }
}

const rows = [...(results.values().next().value ?? new Map()).keys()];
const base = results.get('s3rver');
const minioRow = results.get('minio');
const header = ['', ...engines.map(([n]) => n), 'memory ÷ s3rver', 'disk ÷ s3rver', 'memory ÷ minio'];
const table = rows.map((row) => {
  const v = (n: string) => results.get(n)?.get(row);
  const fmt = (x: number | undefined) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  // Throughput: higher is better; start-up and memory: lower is better, so the ratio is
  // inverted there and always reads "how many times better than the baseline".
  const lowerIsBetter = /ms\)|MB\)$/.test(row) && !/MB\/s/.test(row);
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
