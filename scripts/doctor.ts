// `npm run doctor`: see stack/doctor/run-doctor.ts.
import { enableCompileCache } from 'node:module';

// Before anything else loads: compiled code is reused from the second run on.
enableCompileCache();
const { runDoctor } = await import('../stack/doctor/run-doctor.ts');

process.exitCode = await runDoctor(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
