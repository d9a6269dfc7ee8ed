// The bytes of a record log file (disk storage, see record-log.ts). A header at offset 0 names
// the file's generation and a random salt (and, in the two reused files of the layout before
// segments, whether their entries were all applied to record files); entries follow from
// ENTRIES_AT, back to back, each with the generation and salt of the header it was written
// under and a CRC-32. Reading stops at the first entry that is not whole and of the header's
// generation and salt (the end of what was written, or a tail a crash cut): an entry left from
// another use of the file never counts, even if a generation number were handed out twice.
// Builtins only: the record writer's thread imports it.
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** "S3L" and a format version, little-endian. */
const HEADER_MAGIC = 0x014c3353;
/** "S3E" and a format version. */
const ENTRY_MAGIC = 0x01453353;
export const HEADER_BYTES = 24;
/** Where entries start: the header has a block of its own, written over alone. */
export const ENTRIES_AT = 4096;
export const ENTRY_HEADER = 28;

export const OP_WRITE = 1;
export const OP_RETIRE = 2;

export interface LogHeader {
  gen: number;
  /** Random per activation: entries carry it too. */
  salt: number;
  /** Layout before segments: every entry of this generation was applied to record files. */
  applied: boolean;
}

export function encodeHeader(h: LogHeader): Uint8Array {
  const buf = new Uint8Array(HEADER_BYTES);
  const view = new DataView(buf.buffer);
  view.setUint32(0, HEADER_MAGIC, true);
  view.setFloat64(8, h.gen, true);
  view.setUint32(16, h.applied ? 1 : 0, true);
  view.setUint32(20, h.salt, true);
  view.setUint32(4, crc32(buf.subarray(8)), true);
  return buf;
}

/** The header of a log file's bytes; undefined for a file that has none (new, or torn). */
export function readHeader(file: Buffer): LogHeader | undefined {
  if (file.length < HEADER_BYTES || file.readUInt32LE(0) !== HEADER_MAGIC) return undefined;
  if (crc32(file.subarray(8, HEADER_BYTES)) !== file.readUInt32LE(4)) return undefined;
  const gen = file.readDoubleLE(8);
  if (!Number.isSafeInteger(gen) || gen < 1) return undefined;
  return { gen, applied: file.readUInt32LE(16) === 1, salt: file.readUInt32LE(20) };
}

export interface LogEntry {
  op: typeof OP_WRITE | typeof OP_RETIRE;
  /** The record's name (meta/objects/<bucket>/<fan>/<sha256>.json, meta/uploads/<id>.json). */
  path: string;
  /** A write's record bytes (record-file.ts). */
  payload: Buffer;
}

/** Bytes an entry takes. */
export function entrySize(pathBytes: number, payloadBytes: number): number {
  return ENTRY_HEADER + pathBytes + payloadBytes;
}

/**
 * Writes one entry into `buf` at `at`: its path and payload chunks after the header, then the
 * header with its CRC. Returns the offset after it.
 */
export function putEntry(
  buf: Uint8Array,
  at: number,
  h: Pick<LogHeader, 'gen' | 'salt'>,
  op: LogEntry['op'],
  path: Buffer,
  chunks: readonly Buffer[],
): number {
  let end = at + ENTRY_HEADER;
  buf.set(path, end);
  end += path.length;
  for (const c of chunks) {
    buf.set(c, end);
    end += c.length;
  }
  const view = new DataView(buf.buffer, buf.byteOffset + at, ENTRY_HEADER);
  view.setUint32(0, ENTRY_MAGIC, true);
  view.setFloat64(8, h.gen, true);
  view.setUint8(16, op);
  view.setUint16(18, path.length, true);
  view.setUint32(20, end - at - ENTRY_HEADER - path.length, true);
  view.setUint32(24, h.salt, true);
  view.setUint32(4, crc32(buf.subarray(at + 8, end)), true);
  return end;
}

/** The valid entries of the header's generation in a log file's bytes, in order. */
export function readEntries(file: Buffer, h: Pick<LogHeader, 'gen' | 'salt'>): LogEntry[] {
  const out: LogEntry[] = [];
  let at = ENTRIES_AT;
  while (at + ENTRY_HEADER <= file.length) {
    if (file.readUInt32LE(at) !== ENTRY_MAGIC || file.readDoubleLE(at + 8) !== h.gen) break;
    if (file.readUInt32LE(at + 24) !== h.salt) break;
    const op = file.readUInt8(at + 16);
    const pathLen = file.readUInt16LE(at + 18);
    const end = at + ENTRY_HEADER + pathLen + file.readUInt32LE(at + 20);
    if (end > file.length || (op !== OP_WRITE && op !== OP_RETIRE)) break;
    if (crc32(file.subarray(at + 8, end)) !== file.readUInt32LE(at + 4)) break;
    const pathAt = at + ENTRY_HEADER;
    out.push({
      op,
      path: file.toString('utf8', pathAt, pathAt + pathLen),
      payload: file.subarray(pathAt + pathLen, end),
    });
    at = end;
  }
  return out;
}

const ZEROS = new Uint8Array(1024 * 1024);

/** Writes zeros over [from, to) of `fd` (no sync). */
export function writeZeros(fd: number, from: number, to: number): void {
  for (let at = from; at < to; ) at += writeSync(fd, ZEROS, 0, Math.min(ZEROS.length, to - at), at);
}

/**
 * Zeros [from, to) of the log file at `path` and syncs it: for entries whose append failed or
 * was cut off, which may have reached the disk all the same and must not be replayed (the
 * store treated them as not written). Errors throw.
 */
export function voidEntries(path: string, from: number, to: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeZeros(fd, from, to);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
