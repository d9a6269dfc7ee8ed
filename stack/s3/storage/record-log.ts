// The record log of disk storage: a small write (an object's record, an upload's) is durable
// once it is appended to a log file and fdatasynced, one flush of a file that does not change
// size (space is taken ahead), instead of a new record file's fdatasync and directory fsync
// (~0.37 against ~0.84 ms measured here). Writes arriving while an append is under way go
// together in the next one (group commit).
//
// The record files catch up at checkpoints: each path's latest entry is written to its record
// file (DiskLayout.writeAtomic / retire, unsynced), the filesystem is synced once (sync-fs.ts),
// and the log file's header is marked applied. Reads never need the log: the store keeps every
// record in memory; the log is read only at open, to replay what no checkpoint applied.
//
// Two log files take turns: when the current one is full (LOG_MAX), new entries go to the
// other while the full one is checkpointed. A file is reused under a new generation (see
// record-log-format.ts) only once its entries are applied. Checkpoints run one at a time, the
// older file's first, so a record file never holds a state newer than an entry still to be
// applied to it; replay applies the files oldest generation first.
import { randomInt } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import {
  ENTRIES_AT,
  encodeHeader,
  entrySize,
  type LogEntry,
  OP_RETIRE,
  OP_WRITE,
  putEntry,
  readEntries,
  readHeader,
  voidEntries,
} from './record-log-format.ts';
import { appendLog } from './record-writer.ts';
import { syncFilesystem, syncFsAvailable } from './sync-fs.ts';

/**
 * A log file past this size, or holding entries for DIRTY_MAX records, is checkpointed and the
 * other one takes new entries. Large enough that a burst of writes is not slowed by a
 * checkpoint's writes and syncs (the device is shared with the appends).
 */
export const LOG_MAX = 64 * 1024 * 1024;
/**
 * A checkpoint writes one record file per record (~0.3 ms each here): this bounds it, and so
 * what a close, a DeleteBucket or an open after a crash waits for, to about a second or two.
 */
const DIRTY_MAX = 4096;
/** Bytes of entries in one append (one group commit): more only for a single larger entry. */
const BATCH_MAX = 4 * 1024 * 1024;
/**
 * Space kept filled with zeros ahead of the entries, by the appends' worker after it answered
 * an append. An append that grows its file makes its fdatasync write the file's size and new
 * blocks too: 0.6-0.75 against 0.29-0.32 ms for 64 KiB measured here. Zeros are never needed
 * to read a log back; they only save later appends that work.
 */
const AHEAD_MIN = 1024 * 1024;
/**
 * Zeros written at a time: twice the append just made, within these bounds. A step in pace with
 * the appends ends (write and fdatasync) before a single client's next request arrives; 2 MiB
 * at once took ~5-9 ms here, which the next two or three 64 KiB appends waited out (the lean
 * 64 KiB c=1 PUT: +7% over six runs with steps in pace).
 */
const AHEAD_STEP = 2 * 1024 * 1024;
const AHEAD_STEP_MIN = 128 * 1024;
/** Record files a checkpoint writes at once. */
const APPLY_AT_ONCE = 4;

/** What the log applies its entries to: the record files (DiskLayout). */
export interface RecordFiles {
  write(path: string, chunks: Buffer[], durable: boolean): Promise<void>;
  retire(path: string, durable: boolean): Promise<void>;
  /** Forgets what is known of `path`'s files: read from disk at the next use (for a replay). */
  reread(path: string): void;
}

interface LogFile {
  path: string;
  fd?: number;
  /** Created by this process, its directory not yet synced (the next append does). */
  newName?: boolean;
  /** The generation in the file's header (0: none yet), and its salt. */
  gen: number;
  salt: number;
  /** The header may say "not applied": the file is checkpointed before it is reused. */
  open: boolean;
  /** Taking entries under `gen` in this process. */
  active: boolean;
  /** Bytes the file holds (entries, and zeros taken ahead). */
  allocated: number;
  /** Where the next entry goes. */
  tail: number;
  /** Each record path's latest entry in this generation: its bytes, or null for a removal. */
  dirty: Map<string, readonly Buffer[] | null>;
  checkpoint?: Promise<void>;
}

type Queued =
  | {
      kind: 'entry';
      op: LogEntry['op'];
      rel: string;
      pathBytes: Buffer;
      chunks: readonly Buffer[];
      size: number;
      resolve(): void;
      reject(err: Error): void;
    }
  | { kind: 'switch'; resolve(applied: Promise<void>): void; reject(err: Error): void };

export class RecordLog {
  readonly #root: string;
  readonly #files: RecordFiles;
  readonly #logs: [LogFile, LogFile];
  #current: 0 | 1 = 0;
  readonly #queue: Queued[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;
  #warned = false;
  readonly #maxBytes: number;
  #closing: Promise<void> | undefined;
  /** The next generation: above every one seen or tried, never handed out twice. */
  #nextGen = 1;
  /** Appends made (each one fdatasync, for one or more entries) and checkpoints completed. */
  readonly stats = { appends: 0, checkpoints: 0 };

  /** `maxBytes`: see LOG_MAX. */
  constructor(root: string, dir: string, files: RecordFiles, maxBytes = LOG_MAX) {
    this.#root = root;
    this.#files = files;
    this.#maxBytes = maxBytes;
    const log = (name: string): LogFile => ({
      path: join(dir, name),
      gen: 0,
      salt: 0,
      open: false,
      active: false,
      allocated: 0,
      tail: ENTRIES_AT,
      dirty: new Map(),
    });
    this.#logs = [log('records.log.0'), log('records.log.1')];
  }

  /**
   * At open, before the records are loaded: applies, oldest generation first, the entries of
   * every log file whose header does not say they are applied.
   */
  async replay(): Promise<void> {
    const pending: LogFile[] = [];
    for (const log of this.#logs) {
      let file: Buffer;
      try {
        file = readFileSync(log.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      log.allocated = file.length;
      const header = readHeader(file);
      if (!header) continue;
      log.gen = header.gen;
      log.salt = header.salt;
      this.#nextGen = Math.max(this.#nextGen, header.gen + 1);
      if (header.applied) continue;
      log.open = true;
      for (const e of readEntries(file, header)) {
        const rel = this.#checked(e.path);
        if (rel === undefined) continue;
        log.dirty.set(rel, e.op === OP_WRITE ? [e.payload] : null);
      }
      pending.push(log);
    }
    pending.sort((a, b) => a.gen - b.gen);
    for (const log of pending) {
      for (const rel of log.dirty.keys()) this.#files.reread(join(this.#root, rel));
      await this.#runCheckpoint(log);
    }
    // The older file takes the next entries (either would do: both are applied).
    this.#current = this.#logs[0].gen <= this.#logs[1].gen ? 0 : 1;
  }

  /** Replaces the record at `path` with `chunks`; resolves once that is durable. */
  write(path: string, chunks: readonly Buffer[]): Promise<void> {
    return this.#enqueue(OP_WRITE, path, chunks);
  }

  /** Removes the record at `path`; resolves once that is durable. */
  retire(path: string): Promise<void> {
    return this.#enqueue(OP_RETIRE, path, []);
  }

  /** Resolves once every entry appended before the call is applied to the record files. */
  async checkpointAll(): Promise<void> {
    const applied = await new Promise<Promise<void>>((resolve, reject) => {
      this.#queue.push({ kind: 'switch', resolve, reject });
      this.#kick();
    });
    await applied;
  }

  /**
   * Applies every entry acknowledged before the call, then closes the log files (also when
   * applying fails: the next open replays). Later writes are refused. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.checkpointAll();
    } finally {
      this.#closed = true;
      await this.#closeFiles();
    }
  }

  async #closeFiles(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    for (const log of this.#logs) {
      if (log.fd === undefined) continue;
      // The worker may still be writing zeros ahead (see AHEAD_MIN): a descriptor closed under
      // it could by then be another file's. A job behind them (its fdatasync is harmless) ends
      // once they are done.
      await appendLog(
        { fd: log.fd, at: 0, length: 0 },
        () => {},
        () => {},
      );
      closeSync(log.fd);
      log.fd = undefined;
    }
  }

  /** A path from a log file, relative to the data directory, if it stays inside its meta/. */
  #checked(rel: string): string | undefined {
    const parts = rel.split(sep);
    if (!isAbsolute(rel) && parts[0] === 'meta' && !parts.includes('..') && !rel.includes('\0')) return rel;
    process.emitWarning(
      `S3 disk storage: record log names a path outside meta/, ignored: ${JSON.stringify(rel)}`,
      {
        code: 'S3_STORAGE_LOG_PATH',
      },
    );
    return undefined;
  }

  #enqueue(op: LogEntry['op'], path: string, chunks: readonly Buffer[]): Promise<void> {
    if (this.#closed) {
      return Promise.reject(Object.assign(new Error('S3 disk storage is closed'), { code: 'ESTORECLOSED' }));
    }
    const rel = relative(this.#root, path);
    const pathBytes = Buffer.from(rel);
    const size = entrySize(
      pathBytes.length,
      chunks.reduce((n, c) => n + c.length, 0),
    );
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: 'entry', op, rel, pathBytes, chunks, size, resolve, reject });
      this.#kick();
    });
  }

  #kick(): void {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
      // Queued while the last step settled.
      if (this.#queue.length > 0) this.#kick();
    });
  }

  /** Appends what is queued, in order, one batch at a time; a switch marker ends a batch. */
  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.kind === 'switch') {
        this.#queue.shift();
        try {
          head.resolve((await this.#switch()).applied);
        } catch (err) {
          head.reject(err as Error);
        }
        continue;
      }
      const batch: Extract<Queued, { kind: 'entry' }>[] = [];
      let size = 0;
      for (const q of this.#queue) {
        if (q.kind !== 'entry' || (batch.length > 0 && size + q.size > BATCH_MAX)) break;
        batch.push(q);
        size += q.size;
      }
      this.#queue.splice(0, batch.length);
      try {
        await this.#append(batch, size);
      } catch (err) {
        for (const q of batch) q.reject(err as Error);
        continue;
      }
      for (const q of batch) q.resolve();
    }
  }

  async #append(batch: Extract<Queued, { kind: 'entry' }>[], size: number): Promise<void> {
    let log = this.#logs[this.#current];
    const full = log.tail + size > this.#maxBytes || log.dirty.size >= DIRTY_MAX;
    if (log.active && log.tail > ENTRIES_AT && full) {
      await this.#switch();
      log = this.#logs[this.#current];
    }
    let header: Uint8Array | undefined;
    if (!log.active) {
      // Reusing a file whose entries are not all applied would lose them.
      if (log.open) await this.#runCheckpoint(log);
      log.gen = this.#nextGen++;
      log.salt = randomInt(2 ** 32);
      header = encodeHeader({ gen: log.gen, salt: log.salt, applied: false });
      log.open = true;
      log.active = true;
      log.tail = ENTRIES_AT;
    }
    const at = log.tail;
    const end = at + size;
    const stamp = { gen: log.gen, salt: log.salt };
    // The zeros go after the answer, before the worker takes the next append (which they can
    // therefore never overwrite). Counted as there at once: if they fail, appends grow the file.
    const from = Math.max(end, log.allocated);
    const step = Math.min(AHEAD_STEP, Math.max(AHEAD_STEP_MIN, 2 * size));
    const ahead = from - end < AHEAD_MIN ? { aheadFrom: from, aheadTo: from + step } : {};
    try {
      await appendLog(
        {
          fd: this.#fd(log),
          at,
          length: size,
          ...(header ? { header } : {}),
          ...(log.newName ? { syncDir: dirname(log.path) } : {}),
          ...ahead,
        },
        (into) => {
          let o = 0;
          for (const q of batch) o = putEntry(into, o, stamp, q.op, q.pathBytes, q.chunks);
        },
        () => voidEntries(log.path, at, end),
      );
    } catch (err) {
      this.#endGeneration(log);
      throw err;
    }
    this.stats.appends++;
    log.tail = end;
    log.newName = false;
    log.allocated = Math.max(log.allocated, end, ahead.aheadTo ?? 0);
    for (const q of batch) log.dirty.set(q.rel, q.op === OP_WRITE ? q.chunks : null);
  }

  /**
   * Makes the other log file the current one (once its own entries are applied) and starts
   * applying the current one's. Returns that checkpoint (wrapped: an async function would
   * wait for it), already guarded against going unhandled.
   */
  async #switch(): Promise<{ applied: Promise<void> }> {
    const old = this.#logs[this.#current];
    const next = this.#logs[1 - this.#current]!;
    if (next.open) await this.#runCheckpoint(next);
    if (!old.open) return { applied: Promise.resolve() };
    old.active = false;
    this.#current = this.#current === 0 ? 1 : 0;
    const applied = this.#runCheckpoint(old);
    applied.catch(() => {});
    return { applied };
  }

  /**
   * After a failed append: this file takes no more entries under its generation, so none ever
   * follows entries whose fate is unknown (the worker zeroes them, but that can fail too, and a
   * failed first append leaves the header unknown). The other file takes the next ones; this
   * one is checkpointed, which applies its acknowledged entries and marks it applied, so that
   * its failed ones never replay.
   */
  #endGeneration(log: LogFile): void {
    log.active = false;
    log.open = true;
    if (this.#logs[this.#current] === log) this.#current = this.#current === 0 ? 1 : 0;
    this.#runCheckpoint(log).catch(() => {});
  }

  /** Runs a file's checkpoint (once at a time), after the other file's if that one is older. */
  #runCheckpoint(log: LogFile): Promise<void> {
    const other = this.#logs[0] === log ? this.#logs[1] : this.#logs[0];
    log.checkpoint ??= (async () => {
      if (other.open && !other.active && other.gen < log.gen) await this.#runCheckpoint(other);
      await this.#checkpoint(log);
    })().finally(() => {
      log.checkpoint = undefined;
    });
    return log.checkpoint;
  }

  /** Applies a log file's entries to the record files, durably, and marks its header so. */
  async #checkpoint(log: LogFile): Promise<void> {
    try {
      const entries = [...log.dirty];
      if (entries.length > 0) {
        const durable = !(await syncFsAvailable(this.#root));
        let next = 0;
        const worker = async () => {
          while (next < entries.length) {
            const [rel, chunks] = entries[next++]!;
            const path = join(this.#root, rel);
            if (chunks) await this.#files.write(path, [...chunks], durable);
            else await this.#files.retire(path, durable);
          }
        };
        await Promise.all(Array.from({ length: Math.min(APPLY_AT_ONCE, entries.length) }, worker));
        if (!durable) await syncFilesystem(this.#root);
      }
      await appendLog(
        {
          fd: this.#fd(log),
          at: 0,
          length: 0,
          header: encodeHeader({ gen: log.gen, salt: log.salt, applied: true }),
        },
        () => {},
        () => {},
      );
      log.open = false;
      log.dirty.clear();
      this.stats.checkpoints++;
    } catch (err) {
      // The entries stay, and are applied by the next checkpoint of this file or the next
      // open's replay; until then the other file takes new entries, then writes fail.
      if (!this.#warned) {
        this.#warned = true;
        process.emitWarning(
          `S3 disk storage: applying the record log failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); it is kept and tried again`,
          { code: 'S3_STORAGE_LOG_CHECKPOINT' },
        );
      }
      throw err;
    }
  }

  /** The log file's descriptor, opening it (or creating it) on first use. */
  #fd(log: LogFile): number {
    if (log.fd !== undefined) return log.fd;
    try {
      log.fd = openSync(log.path, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      log.fd = openSync(log.path, 'wx+');
      log.newName = true;
      log.allocated = 0;
    }
    return log.fd;
  }
}
