// Runs `scripts/dev-stack.ts` as a child under this same Node 24, on random ports, and reads
// its output line by line so tests can wait for "ready" or an error without sleeping.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface DevStackRun {
  child: ChildProcess;
  output: string[];
  /** Resolves with the first output line matching `pattern` (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

export const RANDOM_PORTS = [
  '--s3-port',
  '0',
  '--smtp-port',
  '0',
  '--smtps-port',
  '0',
  '--console-port',
  '0',
];

export function runDevStack(args: string[], env: NodeJS.ProcessEnv = {}): DevStackRun {
  const child = spawn(process.execPath, ['scripts/dev-stack.ts', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onLine = (line: string) => {
    output.push(line);
    for (const w of [...waiters]) {
      if (w.pattern.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output,
    exited,
    waitFor(pattern, timeoutMs = 15_000) {
      const seen = output.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`dev:stack exited (${code}) before printing ${pattern}:\n${output.join('\n')}`));
        });
      });
    },
  };
}

/** The URL a banner line names, e.g. `  S3 API        http://127.0.0.1:41234   region …`. */
export function urlOf(output: string[], label: string): string {
  const line = output.find((l) => l.trimStart().startsWith(label));
  const url = line?.match(/(https?|smtps?):\/\/[^\s]+/)?.[0];
  if (!url) throw new Error(`no ${label} URL in:\n${output.join('\n')}`);
  return url;
}
