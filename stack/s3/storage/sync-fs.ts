// Syncing a whole filesystem at once (syncfs(2), through `sync -f`): one flush of everything a
// record log's checkpoint wrote unsynced, instead of an fdatasync per record file and an fsync
// per directory. Measured here for 500 new record files: ~40 ms against ~225 ms synced one by
// one. Node has no syncfs binding; coreutils' and busybox's `sync -f` call it.
//
// `sync` runs under one long-lived shell started on first use, not as a child of this process
// each time: forking a Node process costs in proportion to its memory (measured here: 4 ms for
// a bare process, 21 ms with 200 MB more, 42 ms with 500 MB, during which every thread's
// memory is held), and a disk server in use is that size. The shell forks itself, a few MB.
//
// Where the probe fails (not Linux, no such `sync`, no `sh`) checkpoints sync each file as they
// write it; a later failure fails the checkpoint, which is retried.
// Limits: syncfs reports only writeback errors from after `sync` opened the directory (an error
// the kernel hit writing a checkpoint's pages back just before goes unseen), and it syncs the
// data directory's filesystem only (a meta/ mounted elsewhere is not covered).
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** Bounds one sync (a hung device): the helper is then killed and started again next time. */
const SYNC_TIMEOUT_MS = 120_000;

// Per request two lines in, its number and the directory; one line out, the number and `ok`,
// or `fail` and what sync said with anything unprintable blanked (a carriage return would
// otherwise end a line early for readline, and shift every later answer onto the wrong
// request). An answer whose number is not the oldest request's ends the helper. `--` so a
// directory named like an option stays a directory.
const SCRIPT =
  'while IFS= read -r n && IFS= read -r d; do ' +
  'if out=$(sync -f -- "$d" 2>&1); then echo "$n ok"; ' +
  'else printf "%s fail %s\\n" "$n" "$(printf %s "$out" | tr -c "[:print:]" " ")"; fi; done';

interface Waiter {
  id: number;
  dir: string;
  resolve(): void;
  reject(err: Error): void;
}

class SyncHelper {
  readonly #child: ChildProcessByStdio<Writable, Readable, null>;
  readonly #waiting: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  #nextId = 1;
  alive = true;

  constructor() {
    // Its own process group: a Ctrl-C in the terminal is for us, and our stop still runs a
    // checkpoint that needs it. It ends when our end of its stdin closes.
    this.#child = spawn('sh', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.#child.on('error', (err) => this.#fail(err));
    this.#child.on('exit', (code, signal) => this.#fail(new Error(`sync helper exited (${code ?? signal})`)));
    this.#child.stdin.on('error', (err) => this.#fail(err));
    createInterface({ input: this.#child.stdout }).on('line', (line) => this.#answer(line));
    this.#idle();
  }

  sync(dir: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#waiting.push({ id, dir, resolve, reject });
      if (this.#waiting.length === 1) this.#busy();
      this.#child.stdin.write(`${id}\n${dir}\n`);
    });
  }

  #answer(line: string): void {
    const m = /^(\d+) (ok|fail)(?: (.*))?$/.exec(line);
    const w = this.#waiting[0];
    if (!m || !w || Number(m[1]) !== w.id) {
      // Never a success for the wrong request: the checkpoint would mark unsynced records applied.
      this.#fail(new Error(`sync helper answered out of turn: ${JSON.stringify(line.slice(0, 200))}`));
      return;
    }
    this.#waiting.shift();
    if (m[2] === 'ok') w.resolve();
    else {
      const detail = m[3]?.trim() || 'failed';
      w.reject(Object.assign(new Error(`sync -f ${w.dir} failed: ${detail}`), { code: 'ESYNCFS' }));
    }
    if (this.#waiting.length === 0) this.#idle();
    else this.#arm();
  }

  /** A sync is under way: it holds the process open, and is bounded in time. */
  #busy(): void {
    this.#child.ref();
    (this.#child.stdout as Readable & { ref?(): void }).ref?.();
    this.#arm();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#fail(Object.assign(new Error(`sync -f took over ${SYNC_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' }));
    }, SYNC_TIMEOUT_MS);
    this.#timer.unref();
  }

  /** Nothing asked: the helper does not keep the process alive (it ends with our stdin). */
  #idle(): void {
    clearTimeout(this.#timer);
    this.#child.unref();
    (this.#child.stdout as Readable & { unref?(): void }).unref?.();
    (this.#child.stdin as Writable & { unref?(): void }).unref?.();
  }

  #fail(err: Error): void {
    if (!this.alive) return;
    this.alive = false;
    clearTimeout(this.#timer);
    this.#child.kill('SIGKILL');
    for (const w of this.#waiting.splice(0)) w.reject(err);
  }
}

let helper: SyncHelper | undefined;

/** Syncs the filesystem holding `dir` (see above). */
export function syncFilesystem(dir: string): Promise<void> {
  // A line per directory: a name with a newline cannot be passed (the probe then says no).
  if (dir.includes('\n')) return Promise.reject(new Error('sync -f: directory name holds a newline'));
  if (!helper?.alive) helper = new SyncHelper();
  return helper.sync(dir);
}

let available: Promise<boolean> | undefined;

/** Whether syncFilesystem works here (asked once per process, by syncing `dir`'s filesystem). */
export function syncFsAvailable(dir: string): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false);
  available ??= syncFilesystem(dir).then(
    () => true,
    () => false,
  );
  return available;
}
