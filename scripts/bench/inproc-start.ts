// Start-up as the stack starts the embedded engine (in-process), measured in a fresh process so
// the first start is a first start: nothing compiled, nothing warmed. Prints one JSON line with
// the wall-clock times (ms since the epoch) at which the module import and startS3Server began,
// and the url; the benchmark's probe (a warm client in another process) marks the first answer.
// Each "again" line on stdin stops the server and starts a new one in the same process (what
// every test file after the first pays in a test run) and prints the same line for it.
//   node scripts/bench/inproc-start.ts <accessKeyId> <secretAccessKey> [diskDir]
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

const now = () => performance.timeOrigin + performance.now();
const [accessKeyId, secretAccessKey, dir] = process.argv.slice(2) as [string, string, string | undefined];

const importStarted = now();
const { startS3Server } = await import('../../stack/s3/server.ts');

let starts = 0;
async function start() {
  const startStarted = now();
  const server = await startS3Server({
    identities: [
      { name: 'root', arn: 'arn:aws:iam::000000000000:root', accessKeyId, secretAccessKey, root: true },
    ],
    storage: dir ? { type: 'disk', dir: `${dir}-${starts++}` } : 'memory',
  });
  // A plain write: console.log's first use builds the stdout stream, about 2 ms that are the
  // benchmark's, not the server's.
  writeSync(1, `${JSON.stringify({ url: server.url, importStarted, startStarted })}\n`);
  return server;
}

let server = await start();
createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line !== 'again') return;
  await server.stop();
  server = await start();
});
process.once('SIGTERM', () => server.stop().then(() => process.exit(0)));
