// A server binary (MinIO, Mailpit) as a child process that cannot outlive us: a tiny shell
// wrapper runs it and terminates it when our process dies, even by SIGKILL, because it
// watches a pipe only we hold open. Readiness is an HTTP probe; stop is bounded.
import { execa, type ResultPromise } from 'execa';
import { waitForHttp } from './wait-for-http.ts';

export interface SupervisedProcessOptions {
  /** Name for messages, e.g. 'MinIO'. */
  what: string;
  command: string;
  args: string[];
  /** The child's environment. */
  env: Record<string, string | undefined>;
  /** Add `env` to ours (true) or give the child only `env` (false). @default true */
  extendEnv?: boolean;
  /** Probed until it answers 2xx. */
  readyUrl: string;
  /** @default 30000 */
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before it kills. @default 10000 */
  stopTimeoutMs?: number;
}

export interface SupervisedProcess {
  /** The wrapper's pid (the server is its only child). */
  pid: number | undefined;
  /** Last lines the server printed (for error messages). */
  output(): string;
  /** SIGTERM, then after `stopTimeoutMs` SIGKILL; resolves when the server has exited. */
  stop(): Promise<void>;
}

// "$@" is the server and its args. fd 3 duplicates the stdin pipe from the parent: when the
// parent exits for any reason the pipe reaches EOF, `cat` returns and the server is
// terminated. A trapped signal interrupts `wait`, so the wrapper waits again: it exits only
// after the server has, and stop() resolving means the server is gone. USR1 means "kill now".
const WRAPPER = `
"$@" </dev/null &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
trap 'kill -KILL "$child" 2>/dev/null' USR1
exec 3<&0
( cat <&3 >/dev/null; kill -TERM "$child" 2>/dev/null ) &
wait "$child"
status=$?
while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
exit $status
`;

const KEEP_LINES = 50;

export async function startSupervisedProcess(options: SupervisedProcessOptions): Promise<SupervisedProcess> {
  const lines: string[] = [];
  const child: ResultPromise = execa(
    'sh',
    ['-c', WRAPPER, `${options.what.toLowerCase()}-wrapper`, options.command, ...options.args],
    {
      env: options.env,
      extendEnv: options.extendEnv ?? true,
      stdin: 'pipe',
      all: true,
      reject: false,
      // stop() escalates itself (TERM, then USR1 for the server, then KILL for the wrapper).
      forceKillAfterDelay: false,
    },
  );
  child.all?.on('data', (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
  });
  let exited = false;
  const exit = child.then((r) => {
    exited = true;
    // Lets the wrapper's watcher (`cat`) end too when the server exited on its own.
    child.stdin?.end();
    return r;
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exited) return;
      child.stdin?.end();
      child.kill('SIGTERM');
      const kill = setTimeout(() => {
        child.kill('SIGUSR1');
        // The wrapper itself, should it not react: the server then dies with the pipe.
        setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
      }, options.stopTimeoutMs ?? 10_000);
      await exit;
      clearTimeout(kill);
    })();
    return stopping;
  };

  try {
    await waitForHttp(options.readyUrl, {
      timeoutMs: options.readyTimeoutMs ?? 30_000,
      what: options.what,
      abortIf: () => (exited ? `${options.what} exited early:\n${lines.slice(-10).join('\n')}` : undefined),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: child.pid, output: () => lines.join('\n'), stop };
}
