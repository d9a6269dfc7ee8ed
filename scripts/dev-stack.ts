// `npm run dev:stack`: the stack on fixed loopback ports, provisioned from .env.local,
// printing what the app does as it happens. Ctrl-C stops gracefully; a second Ctrl-C exits.
import { enableCompileCache } from 'node:module';

// Before anything else loads: V8's compiled code for the stack's modules is reused from the
// second start on (several hundred ms of the start-up).
enableCompileCache();
const { runDevStack } = await import('../stack/cli/dev-stack.ts');

const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (stop.signal.aborted) {
    console.log(`\n${signal} again: exiting now.`);
    process.exit(1);
  }
  stop.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runDevStack(process.argv.slice(2), process.env, process.cwd(), {
  log: (line) => console.log(line),
  error: (line) => console.error(line),
  stop: stop.signal,
});
process.exit(code);
