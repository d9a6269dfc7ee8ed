// The record log of disk storage: where object and upload records live. A write is durable once
// appended to the active segment file and fdatasynced (one flush of a file that does not change
// size: space is taken ahead), and writes arriving while an append is under way go together in
// the next one (group commit). Reads never need the log: the store keeps every record in
// memory; the log is read at open, and by compactions.
//
// Records used to reach a file of their own at checkpoints: one new file per new key, whose
// creation (0.1-0.5 ms of kernel time each on this machine's ext4) was a fifth of a
// single-stream 64 KiB PUT's time under sustained load. Now the log is the store (as in
// Bitcask): a segment past SEGMENT_MAX is sealed and a new one takes the appends, and
// once sealed files hold as much garbage (overwritten or removed records) as live ones, a
// compaction copies the live records into one base file and removes the files it covers.
//
// Files in meta/log/: `seg-<gen>.log` (appended), `base-<gen>.log` (a compaction's output: the
// live records of every file of generation <= gen), `base-<gen>.tmp` (one being written, or
// abandoned). A base is renamed into place only once complete and synced, so at open the newest
// base is whole and every file it covers is obsolete. Segments after it replay in generation
// order; each replays up to its first entry that is not whole (the tail a crash cut), and
// later appends go to a new segment, never after such a tail.
import { randomInt } from 'node:crypto';
import {
  closeSync,
  lstatSync,
  openSync,
  read,
  readdirSync,
  readFileSync,
  readSync,
  unlinkSync,
} from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fsyncDir } from '../../util/fsync-dir.ts';
import {
  ENTRIES_AT,
  encodeHeader,
  entrySize,
  HEADER_BYTES,
  type LogEntry,
  OP_RETIRE,
  OP_WRITE,
  putEntry,
  readEntries,
  readHeader,
  voidEntries,
} from './record-log-format.ts';
import { appendLog } from './record-writer.ts';

const readAt = promisify(read);

/** An active segment past this size is sealed, and a new one takes the appends. */
export const SEGMENT_MAX = 64 * 1024 * 1024;
/** Garbage in sealed files below this is never worth a compaction. */
export const COMPACT_MIN = 16 * 1024 * 1024;
/** Sealed files (a base, segments) past this are compacted whatever their garbage: each open
 * that writes starts a segment, and each is a file to read at the next open. */
const SEALED_MAX = 16;
/** Bytes of entries in one append (one group commit): more only for a single larger entry. */
const BATCH_MAX = 4 * 1024 * 1024;
/** Bytes a compaction writes at a time. */
const COMPACT_BATCH = 4 * 1024 * 1024;
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
 * at once took ~5-9 ms here, which the next two or three 64 KiB appends waited out.
 */
const AHEAD_STEP = 2 * 1024 * 1024;
const AHEAD_STEP_MIN = 128 * 1024;

export interface RecordLogOptions {
  /** @default SEGMENT_MAX */
  segmentBytes?: number;
  /** @default COMPACT_MIN */
  compactBytes?: number;
}

interface Segment {
  gen: number;
  salt: number;
  path: string;
  base: boolean;
  fd?: number;
  /** Created by this process, its directory not yet synced (the next append does). */
  newName?: boolean;
  /** Appended to by this process: the worker may still be writing zeros into it. */
  appended?: boolean;
  /** Takes no more entries (every file but the active segment). */
  sealed: boolean;
  /** Bytes the file holds (entries, and zeros taken ahead). */
  allocated: number;
  /** Where the next entry goes (the end of the valid entries). */
  tail: number;
  /** Bytes of entries that are their record's current state. */
  live: number;
}

/** Where a record's current state is: a write entry. */
interface Loc {
  seg: Segment;
  /** The entry's size, and its payload's place in the file. */
  size: number;
  payloadAt: number;
  payloadLength: number;
}

interface Queued {
  op: LogEntry['op'];
  rel: string;
  pathBytes: Buffer;
  chunks: readonly Buffer[];
  size: number;
  resolve(): void;
  reject(err: Error): void;
}

const NAME = /^(seg|base)-(\d{1,15})\.(log|tmp)$/;

/** The first bytes of a file, as many as a header takes. */
function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(HEADER_BYTES);
    return buf.subarray(0, readSync(fd, buf, 0, HEADER_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

export class RecordLog {
  readonly #dir: string;
  readonly #segmentBytes: number;
  readonly #compactBytes: number;
  /** Every file in use, oldest generation first; the last is the active segment if unsealed. */
  #segments: Segment[] = [];
  readonly #keydir = new Map<string, Loc>();
  readonly #queue: Queued[] = [];
  #flushing: Promise<void> | undefined;
  #compaction: Promise<void> | undefined;
  /**
   * The compaction under way runs to its end even if the log closes: one started because
   * sealed files piled up (each short run adds one), which runs that close early would
   * otherwise abandon, one after another, forever.
   */
  #finishCompaction = false;
  #closed = false;
  /** open() has read the log: before it, generations are not known and writes are refused. */
  #opened = false;
  #closing: Promise<void> | undefined;
  #warned = false;
  /** The next generation: above every one seen or tried, never handed out twice. */
  #nextGen = 1;
  /** Appends made (each one fdatasync, for one or more entries) and compactions completed. */
  readonly stats = { appends: 0, compactions: 0 };

  /** `dir`: the log's own directory (meta/log), which exists. */
  constructor(dir: string, options: RecordLogOptions = {}) {
    this.#dir = dir;
    this.#segmentBytes = options.segmentBytes ?? SEGMENT_MAX;
    this.#compactBytes = options.compactBytes ?? COMPACT_MIN;
  }

  /** Whether the directory holds any log file (a base or a segment). */
  hasFiles(): boolean {
    return readdirSync(this.#dir).some((n) => {
      if (!NAME.test(n) || !n.endsWith('.log')) return false;
      const path = join(this.#dir, n);
      return lstatSync(path).isFile() && readHeader(readHead(path)) !== undefined;
    });
  }

  /**
   * Reads the log at open: each record's current payload (a copy), by the path it was written
   * under. Removes what an earlier compaction left behind.
   */
  open(): Map<string, Buffer> {
    const bases: Segment[] = [];
    const segs: Segment[] = [];
    for (const name of readdirSync(this.#dir)) {
      const m = NAME.exec(name);
      if (!m) continue;
      const path = join(this.#dir, name);
      this.#nextGen = Math.max(this.#nextGen, Number(m[2]) + 1);
      // Something else under a log file's name (a directory, a link): not ours to read or remove.
      if (!lstatSync(path).isFile()) {
        this.#warn(`not a log file, left out: ${path}`);
        continue;
      }
      // A base a compaction did not finish (or was abandoned at close).
      if (m[3] === 'tmp') {
        unlinkSync(path);
        continue;
      }
      (m[1] === 'base' ? bases : segs).push({
        gen: Number(m[2]),
        salt: 0,
        path,
        base: m[1] === 'base',
        sealed: true,
        allocated: 0,
        tail: ENTRIES_AT,
        live: 0,
      });
    }
    // The newest base with a valid header (a base is renamed into place only once synced, so
    // an invalid one is not ours, or a failing disk's: left as it is, and not trusted to cover
    // anything).
    bases.sort((a, b) => b.gen - a.gen);
    const read = new Map<Segment, Buffer>();
    let base: Segment | undefined;
    for (const b of bases) {
      const file = readFileSync(b.path);
      const header = readHeader(file);
      if (header && header.gen === b.gen) {
        base = b;
        read.set(b, file);
        break;
      }
      this.#warn(`a log file has no valid header and was left out: ${b.path}`);
    }
    // Covered by that base: removed (a compaction's removals a crash cut short).
    const obsolete = base ? [...bases, ...segs].filter((s) => s !== base && s.gen <= base.gen) : [];
    for (const s of obsolete) unlinkSync(s.path);
    const files = [...(base ? [base] : []), ...segs.filter((s) => !base || s.gen > base.gen)];
    files.sort((a, b) => a.gen - b.gen);
    /** Each record's current payload, still a view of its file. */
    const current = new Map<string, Buffer>();
    for (const seg of files) {
      const file = read.get(seg) ?? readFileSync(seg.path);
      seg.allocated = file.length;
      const header = readHeader(file);
      // A segment whose first append a crash tore holds nothing that was acknowledged.
      if (!header || header.gen !== seg.gen) {
        unlinkSync(seg.path);
        continue;
      }
      seg.salt = header.salt;
      for (const entry of readEntries(file, header)) {
        const size = entrySize(Buffer.byteLength(entry.path), entry.payload.length);
        this.#supersede(entry.path);
        seg.tail += size;
        if (entry.op === OP_WRITE) {
          current.set(entry.path, entry.payload);
          seg.live += size;
          this.#keydir.set(entry.path, {
            seg,
            size,
            payloadAt: entry.payload.byteOffset - file.byteOffset,
            payloadLength: entry.payload.length,
          });
        } else current.delete(entry.path);
      }
      this.#segments.push(seg);
    }
    this.#opened = true;
    this.#maybeCompact();
    // Copies: a view would keep the whole file, garbage included, in memory.
    return new Map([...current].map(([rel, payload]) => [rel, Buffer.from(payload)]));
  }

  /**
   * Writes `records` (paths and payloads) as a base, before any other file exists: a data
   * directory of an earlier layout, whose record files become the log's first contents.
   */
  async importBase(records: Map<string, Buffer>): Promise<void> {
    const items = [...records].map(([rel, payload]) => ({ rel, old: undefined, read: async () => payload }));
    await this.#writeBase(this.#nextGen++, items, false);
  }

  /** Replaces the record at `rel` with `chunks`; resolves once that is durable. */
  write(rel: string, chunks: readonly Buffer[]): Promise<void> {
    return this.#enqueue(OP_WRITE, rel, chunks);
  }

  /** Removes the record at `rel`; resolves once that is durable. */
  retire(rel: string): Promise<void> {
    return this.#enqueue(OP_RETIRE, rel, []);
  }

  /** Compacts the sealed files now (if there are any), after a compaction under way. */
  async compact(): Promise<void> {
    while (this.#compaction) await this.#compaction;
    this.#startCompaction(false);
    await this.#compaction;
  }

  /** Resolves once no compaction is under way. */
  async settled(): Promise<void> {
    while (this.#compaction) await this.#compaction;
  }

  /** The files in use, for tests and diagnostics: name, live and total entry bytes. */
  files(): { name: string; live: number; bytes: number; active: boolean }[] {
    return this.#segments.map((s) => ({
      name: s.path.slice(this.#dir.length + 1),
      live: s.live,
      bytes: s.tail - ENTRIES_AT,
      active: !s.sealed,
    }));
  }

  /**
   * Ends appends: every write acknowledged before the call is in the log already; later ones
   * are refused. A compaction under way for garbage is abandoned (the files stay as they were);
   * one for too many files runs to its end (see #finishCompaction). Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    await this.settled();
    for (const s of this.#segments) await this.#closeFd(s);
  }

  async #closeFd(s: Segment): Promise<void> {
    if (s.fd === undefined) return;
    // The worker may still be writing zeros ahead (see AHEAD_MIN): a descriptor closed under
    // it could by then be another file's. A job behind them (its fdatasync is harmless) ends
    // once they are done.
    if (s.appended)
      await appendLog(
        { fd: s.fd, at: 0, length: 0 },
        () => {},
        () => {},
      );
    closeSync(s.fd);
    s.fd = undefined;
  }

  #warn(message: string): void {
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(`S3 disk storage: ${message}`, { code: 'S3_STORAGE_LOG' });
  }

  /** `rel`'s current entry, if any, stops being live. */
  #supersede(rel: string): void {
    const loc = this.#keydir.get(rel);
    if (!loc) return;
    loc.seg.live -= loc.size;
    this.#keydir.delete(rel);
  }

  #enqueue(op: LogEntry['op'], rel: string, chunks: readonly Buffer[]): Promise<void> {
    if (this.#closed) {
      return Promise.reject(Object.assign(new Error('S3 disk storage is closed'), { code: 'ESTORECLOSED' }));
    }
    if (!this.#opened) {
      // A segment numbered before the log was read could be one a base covers: lost at the
      // next open, though acknowledged.
      return Promise.reject(
        Object.assign(new Error('S3 disk storage is not loaded yet'), { code: 'ESTORENOTOPEN' }),
      );
    }
    const pathBytes = Buffer.from(rel);
    const size = entrySize(
      pathBytes.length,
      chunks.reduce((n, c) => n + c.length, 0),
    );
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, rel, pathBytes, chunks, size, resolve, reject });
      this.#kick();
    });
  }

  #kick(): void {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
      // Queued while the last append settled.
      if (this.#queue.length > 0) this.#kick();
    });
  }

  /** Appends what is queued, in order, one batch at a time. */
  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch: Queued[] = [];
      let size = 0;
      for (const q of this.#queue) {
        if (batch.length > 0 && size + q.size > BATCH_MAX) break;
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

  /** The active segment, sealing a full one and starting a new one as needed. */
  #active(size: number): Segment {
    let seg = this.#segments.at(-1);
    if (seg && !seg.sealed && seg.tail > ENTRIES_AT && seg.tail + size > this.#segmentBytes) {
      seg.sealed = true;
      this.#maybeCompact();
    }
    seg = this.#segments.at(-1);
    if (seg && !seg.sealed) return seg;
    const gen = this.#nextGen++;
    const path = join(this.#dir, `seg-${gen}.log`);
    seg = {
      gen,
      salt: randomInt(2 ** 32),
      path,
      base: false,
      sealed: false,
      allocated: 0,
      tail: ENTRIES_AT,
      live: 0,
    };
    seg.fd = openSync(path, 'wx+');
    seg.newName = true;
    this.#segments.push(seg);
    return seg;
  }

  async #append(batch: Queued[], size: number): Promise<void> {
    const seg = this.#active(size);
    const header =
      seg.tail === ENTRIES_AT ? encodeHeader({ gen: seg.gen, salt: seg.salt, applied: false }) : undefined;
    const at = seg.tail;
    const end = at + size;
    const stamp = { gen: seg.gen, salt: seg.salt };
    // The zeros go after the answer, before the worker takes the next append (which they can
    // therefore never overwrite). Counted as there at once: if they fail, appends grow the file.
    const from = Math.max(end, seg.allocated);
    const step = Math.min(AHEAD_STEP, Math.max(AHEAD_STEP_MIN, 2 * size));
    const ahead = from - end < AHEAD_MIN ? { aheadFrom: from, aheadTo: from + step } : {};
    seg.appended = true;
    try {
      await appendLog(
        {
          fd: seg.fd!,
          at,
          length: size,
          ...(header ? { header } : {}),
          ...(seg.newName ? { syncDir: this.#dir } : {}),
          ...ahead,
        },
        (into) => {
          let o = 0;
          for (const q of batch) o = putEntry(into, o, stamp, q.op, q.pathBytes, q.chunks);
        },
        () => voidEntries(seg.path, at, end),
      );
    } catch (err) {
      // No entry ever follows entries whose fate is unknown (the worker zeroes them, but that
      // can fail too, and a failed first append leaves the header unknown): the next append
      // starts a new segment.
      seg.sealed = true;
      this.#maybeCompact();
      throw err;
    }
    this.stats.appends++;
    seg.tail = end;
    seg.newName = false;
    seg.allocated = Math.max(seg.allocated, end, ahead.aheadTo ?? 0);
    let o = at;
    for (const q of batch) {
      this.#supersede(q.rel);
      if (q.op === OP_WRITE) {
        const head = entrySize(q.pathBytes.length, 0);
        this.#keydir.set(q.rel, { seg, size: q.size, payloadAt: o + head, payloadLength: q.size - head });
        seg.live += q.size;
      }
      o += q.size;
    }
  }

  /** Starts a compaction if the sealed files hold enough garbage, or are too many. */
  #maybeCompact(): void {
    if (this.#compaction || this.#closed) return;
    const sealed = this.#segments.filter((s) => s.sealed);
    const bytes = sealed.reduce((n, s) => n + s.tail - ENTRIES_AT, 0);
    const live = sealed.reduce((n, s) => n + s.live, 0);
    const garbage = bytes - live;
    if (garbage >= this.#compactBytes && garbage >= live) this.#startCompaction(false);
    else if (sealed.length > SEALED_MAX) this.#startCompaction(true);
  }

  #startCompaction(finish: boolean): void {
    if (this.#compaction || this.#closed) return;
    this.#finishCompaction = finish;
    this.#compaction = this.#compactSealed().then(
      () => {
        this.#compaction = undefined;
        // Segments sealed meanwhile may hold enough garbage for the next one.
        this.#maybeCompact();
      },
      (err: NodeJS.ErrnoException) => {
        this.#compaction = undefined;
        // The files stay as they were: the next seal tries again.
        this.#warn(`compacting the record log failed (${err.code ?? err.message}); it is tried again later`);
      },
    );
  }

  /** Copies the live records of every sealed file into a new base, then removes those files. */
  async #compactSealed(): Promise<void> {
    const sources = this.#segments.filter((s) => s.sealed);
    if (
      sources.length === 0 ||
      (sources.length === 1 && sources[0]!.base && sources[0]!.live === sources[0]!.tail - ENTRIES_AT)
    )
      return;
    const covered = new Set(sources);
    const gen = Math.max(...sources.map((s) => s.gen));
    const items = [...this.#keydir]
      .filter(([, loc]) => covered.has(loc.seg))
      .map(([rel, loc]) => ({ rel, old: loc, read: () => this.#readPayload(loc) }));
    const base = await this.#writeBase(gen, items, true);
    if (!base) return;
    // The files the base covers go; the base takes their place, oldest of all.
    for (const s of sources) {
      await this.#closeFd(s);
      // A lone base compacted again: the new one took its name.
      if (s.path !== base.path) await unlink(s.path).catch(() => {});
    }
    this.#segments = [base, ...this.#segments.filter((s) => !covered.has(s))];
    this.stats.compactions++;
  }

  async #readPayload(loc: Loc): Promise<Buffer> {
    const seg = loc.seg;
    seg.fd ??= openSync(seg.path, 'r');
    const out = Buffer.allocUnsafe(loc.payloadLength);
    for (let done = 0; done < out.length; ) {
      const { bytesRead } = await readAt(seg.fd, out, done, out.length - done, loc.payloadAt + done);
      if (bytesRead === 0)
        throw Object.assign(new Error(`record log: ${seg.path} ends early`), { code: 'EIO' });
      done += bytesRead;
    }
    return out;
  }

  /**
   * Writes `items` as the base of generation `gen`: to a .tmp file, synced, then renamed into
   * place and its directory synced. If `current`, records whose current state is still `old`
   * then point into it (a compaction). Undefined if abandoned (a compaction, the log closing).
   */
  async #writeBase(
    gen: number,
    items: { rel: string; old: Loc | undefined; read: () => Promise<Buffer> }[],
    current: boolean,
  ): Promise<Segment | undefined> {
    const salt = randomInt(2 ** 32);
    const final = join(this.#dir, `base-${gen}.log`);
    const tmp = join(this.#dir, `base-${gen}.tmp`);
    // A base a crash cut short may be there (a migration's is written before open() clears
    // them): removed, and the name taken anew, never followed (it could be a link).
    await unlink(tmp).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    const fh = await open(tmp, 'wx');
    const seg: Segment = {
      gen,
      salt,
      path: final,
      base: true,
      sealed: true,
      allocated: 0,
      tail: ENTRIES_AT,
      live: 0,
    };
    const moved: [string, Loc | undefined, Loc][] = [];
    let done = false;
    try {
      await fh.write(encodeHeader({ gen, salt, applied: false }), 0, undefined, 0);
      let buf = Buffer.allocUnsafe(COMPACT_BATCH);
      let used = 0;
      const flush = async () => {
        if (used > 0) await fh.write(buf, 0, used, seg.tail - used);
        used = 0;
      };
      for (const item of items) {
        if (this.#closed && current && !this.#finishCompaction) return undefined;
        const payload = await item.read();
        const pathBytes = Buffer.from(item.rel);
        const size = entrySize(pathBytes.length, payload.length);
        if (used + size > buf.length) {
          await flush();
          if (size > buf.length) buf = Buffer.allocUnsafe(size);
        }
        putEntry(buf, used, { gen, salt }, OP_WRITE, pathBytes, [payload]);
        used += size;
        moved.push([
          item.rel,
          item.old,
          { seg, size, payloadAt: seg.tail + size - payload.length, payloadLength: payload.length },
        ]);
        seg.tail += size;
      }
      await flush();
      await fh.datasync();
      done = true;
    } finally {
      await fh.close();
      if (!done) await unlink(tmp).catch(() => {});
    }
    await rename(tmp, final);
    await fsyncDir(this.#dir);
    seg.allocated = seg.tail;
    if (!current) return seg;
    for (const [rel, old, loc] of moved) {
      // Written again while the compaction ran: the newer entry stays current.
      if (this.#keydir.get(rel) !== old) continue;
      if (old) old.seg.live -= old.size;
      this.#keydir.set(rel, loc);
      seg.live += loc.size;
    }
    return seg;
  }
}
