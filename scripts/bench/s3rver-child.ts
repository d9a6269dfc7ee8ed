// s3rver in its own process, so the benchmark measures every engine the same way.
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';

const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: process.argv[2] });
const addr = (await server.run()) as { port: number };
console.log(JSON.stringify({ url: `http://127.0.0.1:${addr.port}` }));
process.once('SIGTERM', () => server.close().then(() => process.exit(0)));
