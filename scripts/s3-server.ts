// Runs only the embedded S3 server, for tools and benchmarks that want it as its own process:
//   node scripts/s3-server.ts [--port N] [--dir PATH] [--access-key K --secret-key S]
// Prints one JSON line {"url": ...} when ready; stops on SIGTERM/SIGINT.
import { enableCompileCache } from 'node:module';
import { parseArgs } from 'node:util';

// Before the server's modules load: their compiled code is reused from the second start on.
enableCompileCache();
const { userArn } = await import('../stack/s3/identity.ts');
const { startS3Server } = await import('../stack/s3/server.ts');

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    dir: { type: 'string' },
    region: { type: 'string', default: 'us-east-1' },
    'access-key': { type: 'string', default: 'stackroot' },
    'secret-key': { type: 'string', default: 'stackroot-secret-key' },
  },
});
const server = await startS3Server({
  host: values.host,
  port: Number(values.port),
  region: values.region,
  storage: values.dir ? { type: 'disk', dir: values.dir } : 'memory',
  identities: [
    {
      name: 'root',
      arn: userArn('root'),
      accessKeyId: values['access-key']!,
      secretAccessKey: values['secret-key']!,
      root: true,
    },
  ],
});
console.log(JSON.stringify({ url: server.url }));
const stop = () => server.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
