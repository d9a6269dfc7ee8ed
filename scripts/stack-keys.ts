// `npm run stack:keys`: see stack/engines/keys-cli.ts.
import { enableCompileCache } from 'node:module';

// Before anything else loads: compiled code is reused from the second run on.
enableCompileCache();
const { runStackKeys } = await import('../stack/engines/keys-cli.ts');

process.exitCode = await runStackKeys(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
