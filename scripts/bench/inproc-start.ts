// Start-up as the stack starts the embedded engine (in-process), measured in a fresh process so
// it is a first start: nothing compiled, nothing warmed. Prints one JSON line with the wall-clock
// times (ms since the epoch) at which the module import and startS3Server began, and the url;
// the benchmark's probe (a warm client in another process) marks the first answer.
//   node scripts/bench/inproc-start.ts <accessKeyId> <secretAccessKey> [diskDir]
const now = () => performance.timeOrigin + performance.now();
const [accessKeyId, secretAccessKey, dir] = process.argv.slice(2) as [string, string, string | undefined];

const importStarted = now();
const { startS3Server } = await import('../../stack/s3/server.ts');
const startStarted = now();
const server = await startS3Server({
  identities: [
    { name: 'root', arn: 'arn:aws:iam::000000000000:root', accessKeyId, secretAccessKey, root: true },
  ],
  storage: dir ? { type: 'disk', dir } : 'memory',
});
console.log(JSON.stringify({ url: server.url, importStarted, startStarted }));
process.once('SIGTERM', () => server.stop().then(() => process.exit(0)));
