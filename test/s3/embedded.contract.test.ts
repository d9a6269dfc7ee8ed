// The S3 contract against the embedded server, on memory and on disk storage.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { s3Contract } from '../contract/s3-contract.ts';
import { s3VersioningContract } from '../contract/s3-versioning-contract.ts';
import { ROOT } from './fixtures.ts';

let memory: S3Server;
let disk: S3Server;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-contract-'));
  memory = await startS3Server({ identities: [ROOT] });
  disk = await startS3Server({ identities: [ROOT], storage: { type: 'disk', dir } });
});

afterAll(async () => {
  await memory?.stop();
  await disk?.stop();
  await rm(dir, { recursive: true, force: true });
});

const target = (s: () => S3Server) => () => ({
  endpoint: s().url,
  region: s().region,
  accessKeyId: ROOT.accessKeyId,
  secretAccessKey: ROOT.secretAccessKey,
});

s3Contract(
  'embedded (memory)',
  target(() => memory),
);
s3Contract(
  'embedded (disk)',
  target(() => disk),
);
s3VersioningContract(
  'embedded (memory)',
  target(() => memory),
);
s3VersioningContract(
  'embedded (disk)',
  target(() => disk),
);
