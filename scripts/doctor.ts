// `npm run doctor`: see stack/doctor/run-doctor.ts.
import { runDoctor } from '../stack/doctor/run-doctor.ts';

process.exitCode = await runDoctor(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
