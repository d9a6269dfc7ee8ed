// `npm run stack:install-minio`: builds the pinned MinIO server and mc client (and, with
// --with-mailpit, Mailpit) with `go install` into a cache outside the repo. A no-op when the
// pinned binaries are there (or MINIO_BINARY / MC_BINARY / MAILPIT_BINARY point at
// binaries, or they are on PATH). Progress is Go's own `-v` package list.
import { execa } from 'execa';
import { cachedBinDir, pinOf, resolveBinary, type Tool } from '../stack/minio/binaries.ts';

async function install(tool: Tool): Promise<void> {
  const found = resolveBinary(tool);
  if (found) {
    const why = { env: pinOf(tool).envVar, cache: 'cached pinned build', path: 'found on PATH' }[
      found.source
    ];
    console.log(`${tool}: using ${found.path} (${why})`);
    return;
  }
  const { module, version } = pinOf(tool);
  const gobin = cachedBinDir(tool);
  try {
    await execa('go', ['version']);
  } catch {
    throw new Error(
      `${tool}: Go is not installed. Install Go (https://go.dev/dl) or set ${pinOf(tool).envVar} to a ${tool} binary.`,
    );
  }
  console.log(`${tool}: building ${module}@${version} into ${gobin} (a few minutes on first run)...`);
  const started = Date.now();
  let built = 0;
  const child = execa('go', ['install', '-v', `${module}@${version}`], {
    env: { GOBIN: gobin },
    all: true,
  });
  child.all?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      built++;
      // One line every 50 packages keeps CI logs short but shows it is alive.
      if (built % 50 === 0) console.log(`${tool}: ${built} packages... (${line.trim()})`);
      if (line.startsWith('go: ') && !line.startsWith('go: downloading')) console.log(line);
    }
  });
  await child;
  console.log(`${tool}: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const tools: Tool[] = process.argv.includes('--no-mc') ? ['minio'] : ['minio', 'mc'];
if (process.argv.includes('--with-mailpit')) tools.push('mailpit');
try {
  for (const tool of tools) await install(tool);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
