// Benchmark: the embedded S3 server (memory and disk) against s3rver, same AWS SDK v3 client.
// PUT and GET ops/s for 1 KiB and 64 KiB objects at concurrency 1 and 16, and MB/s for one
// 64 MiB object. Bounded (time and count per row), loopback only. Run: node scripts/bench-s3.ts
//
// Fairness note: s3rver rejects the SDK's default streaming checksums, so every engine gets a
// client with requestChecksumCalculation / responseChecksumValidation = WHEN_REQUIRED. Our
// server still computes MD5 + CRC64NVME (its default object checksum) and verifies SigV4.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';
import { startS3Server } from '../stack/s3/server.ts';

const ROW_MS = 1500;
const ROW_MAX_OPS = 5000;
const BIG = 64 * 1024 * 1024;

interface Engine {
  name: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

async function ours(kind: 'memory' | 'disk'): Promise<Engine> {
  const dir = kind === 'disk' ? await mkdtemp(join(tmpdir(), 'bench-s3-')) : undefined;
  const id = {
    name: 'root',
    arn: 'arn:aws:iam::000000000000:root',
    accessKeyId: 'AKIABENCH',
    secretAccessKey: 'bench-secret',
    root: true,
  };
  const srv = await startS3Server({ identities: [id], storage: dir ? { type: 'disk', dir } : 'memory' });
  return {
    name: `ours (${kind})`,
    endpoint: srv.url,
    accessKeyId: id.accessKeyId,
    secretAccessKey: id.secretAccessKey,
    async stop() {
      await srv.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

async function s3rver(): Promise<Engine> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const addr = (await server.run()) as { port: number };
  return {
    name: 's3rver',
    endpoint: `http://127.0.0.1:${addr.port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
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
  return out;
}

const engines: [string, () => Promise<Engine>][] = [
  ['ours (memory)', () => ours('memory')],
  ['ours (disk)', () => ours('disk')],
  ['s3rver', s3rver],
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
const header = ['', ...engines.map(([n]) => n), 'memory ÷ s3rver', 'disk ÷ s3rver'];
const table = rows.map((row) => {
  const v = (n: string) => results.get(n)?.get(row);
  const fmt = (x: number | undefined) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const ratio = (n: string) => {
    const a = v(n);
    const b = base?.get(row);
    return a === undefined || !b ? '—' : `${(a / b).toFixed(2)}×`;
  };
  return [row, ...engines.map(([n]) => fmt(v(n))), ratio('ours (memory)'), ratio('ours (disk)')];
});
const widths = header.map((_, i) => Math.max(...[header, ...table].map((r) => r[i]!.length)));
const line = (r: string[]) =>
  `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of table) console.log(line(r));
