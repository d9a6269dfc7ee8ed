// The frame around a record file's bytes (disk storage): a header with a magic number, a CRC-32
// of the rest, the write's sequence number and the payload's length, then the payload (what
// record-file.ts encodes). A record lives in two slot files written in turn, in place (see
// DiskLayout.writeAtomic): at load the valid frame with the higher sequence number wins, and a
// frame a crash cut short fails its CRC and is ignored. Files from before frames (bare JSON,
// written by rename) load as sequence 0. Builtins only: the record writer's thread imports it.
import { closeSync, fdatasyncSync, ftruncateSync, openSync } from 'node:fs';
import { crc32 } from 'node:zlib';

export const FRAME_HEADER = 20;
/** "S3R" and a format version, little-endian. A bare record starts with "{" instead. */
const MAGIC = 0x01523353;

/**
 * Fills the header of a frame whose payload is `buf[FRAME_HEADER, FRAME_HEADER + length)`.
 * Sequence numbers stay below 2^53.
 */
export function sealFrame(buf: Uint8Array, length: number, seq: number): void {
  const view = new DataView(buf.buffer, buf.byteOffset, FRAME_HEADER);
  view.setUint32(0, MAGIC, true);
  view.setFloat64(8, seq, true);
  view.setUint32(16, length, true);
  view.setUint32(4, crc32(buf.subarray(8, FRAME_HEADER + length)), true);
}

export interface OpenedFrame {
  seq: number;
  payload: Buffer;
}

/**
 * The frame in `file`, or undefined when it is not whole (torn by a crash, or empty). Bytes
 * after the frame are ignored: a slot rewritten in place with a shorter record keeps them.
 * `legacy`: a bare record (before frames, only ever in a record's first slot) is accepted.
 */
export function openFrame(file: Buffer, legacy = false): OpenedFrame | undefined {
  if (legacy && file.length > 0 && file[0] === 0x7b) return { seq: 0, payload: file };
  if (file.length < FRAME_HEADER || file.readUInt32LE(0) !== MAGIC) return undefined;
  const length = file.readUInt32LE(16);
  if (FRAME_HEADER + length > file.length) return undefined;
  if (crc32(file.subarray(8, FRAME_HEADER + length)) !== file.readUInt32LE(4)) return undefined;
  const seq = file.readDoubleLE(8);
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { seq, payload: file.subarray(FRAME_HEADER, FRAME_HEADER + length) };
}

/**
 * Empties the slot file at `path` and syncs it, so no frame in it can win at a load: for a
 * slot whose write failed or was cut off (its bytes unknown; a whole frame that reached the
 * disk anyway would name blobs the store has since discarded). Slots being written are never
 * the current one, so nothing acknowledged is lost. An absent file is fine; other errors throw.
 */
export function emptySlot(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    ftruncateSync(fd, 0);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
