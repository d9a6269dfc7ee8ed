// `npm run stack:keys`: see stack/engines/keys-cli.ts.
import { runStackKeys } from '../stack/engines/keys-cli.ts';

process.exitCode = await runStackKeys(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
