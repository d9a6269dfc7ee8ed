// CRC32C and CRC64NVME in plain JavaScript (Node ships only CRC32 natively), fast enough that
// hashing, not our code, bounds upload throughput: slicing-by-16 over flat tables, reading the
// input as aligned little-endian 32-bit words. CRC64 state is two uint32 halves: BigInt per byte
// would be two orders of magnitude slower.

const CRC32C_POLY = 0x82f63b78; // reflected Castagnoli
const CRC64NVME_POLY_HI = 0x9a6c9329; // reflected 0xad93d23594c93659, high half
const CRC64NVME_POLY_LO = 0xac4bc9b5;
const SLICES = 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Table k, entry i at [k * 256 + i]: the CRC of byte i followed by k zero bytes. */
function crc32Table(poly: number): Uint32Array {
  const t = new Uint32Array(SLICES * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let k = 1; k < SLICES; k++) {
    for (let i = 0; i < 256; i++) {
      const prev = t[(k - 1) * 256 + i];
      t[k * 256 + i] = (prev >>> 8) ^ t[prev & 0xff];
    }
  }
  return t;
}

const T32 = crc32Table(CRC32C_POLY);

/** Number of bytes before `data[i]` reaches a 4-byte-aligned address, and the 16-byte run after. */
function alignedRun(data: Uint8Array): { head: number; words: number } {
  if (!LITTLE_ENDIAN) return { head: data.length, words: 0 };
  const head = Math.min((4 - (data.byteOffset & 3)) & 3, data.length);
  return { head, words: ((data.length - head) >>> 4) << 2 };
}

/** Continues a CRC32C over `data`; `crc` is the finalized value of the bytes so far (0 to start). */
export function crc32c(data: Uint8Array, crc = 0): number {
  const t = T32;
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  const { head, words } = alignedRun(data);
  while (i < head) c = (c >>> 8) ^ t[(c ^ data[i++]) & 0xff];
  if (words > 0) {
    const w = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let j = 0; j < words; j += 4) {
      const a = c ^ w[j];
      const b = w[j + 1];
      const d = w[j + 2];
      const e = w[j + 3];
      c =
        t[3840 + (a & 0xff)] ^
        t[3584 + ((a >>> 8) & 0xff)] ^
        t[3328 + ((a >>> 16) & 0xff)] ^
        t[3072 + (a >>> 24)] ^
        t[2816 + (b & 0xff)] ^
        t[2560 + ((b >>> 8) & 0xff)] ^
        t[2304 + ((b >>> 16) & 0xff)] ^
        t[2048 + (b >>> 24)] ^
        t[1792 + (d & 0xff)] ^
        t[1536 + ((d >>> 8) & 0xff)] ^
        t[1280 + ((d >>> 16) & 0xff)] ^
        t[1024 + (d >>> 24)] ^
        t[768 + (e & 0xff)] ^
        t[512 + ((e >>> 8) & 0xff)] ^
        t[256 + ((e >>> 16) & 0xff)] ^
        t[e >>> 24];
    }
    i += words * 4;
  }
  while (i < n) c = (c >>> 8) ^ t[(c ^ data[i++]) & 0xff];
  return ~c >>> 0;
}

function crc64Tables(polyHi: number, polyLo: number): { hi: Uint32Array; lo: Uint32Array } {
  const hi = new Uint32Array(SLICES * 256);
  const lo = new Uint32Array(SLICES * 256);
  for (let i = 0; i < 256; i++) {
    let h = 0;
    let l = i;
    for (let k = 0; k < 8; k++) {
      const bit = l & 1;
      l = ((l >>> 1) | (h << 31)) >>> 0;
      h >>>= 1;
      if (bit) {
        h = (h ^ polyHi) >>> 0;
        l = (l ^ polyLo) >>> 0;
      }
    }
    hi[i] = h;
    lo[i] = l;
  }
  for (let k = 1; k < SLICES; k++) {
    for (let i = 0; i < 256; i++) {
      const ph = hi[(k - 1) * 256 + i];
      const pl = lo[(k - 1) * 256 + i];
      const idx = pl & 0xff;
      hi[k * 256 + i] = (ph >>> 8) ^ hi[idx];
      lo[k * 256 + i] = (((pl >>> 8) | (ph << 24)) ^ lo[idx]) >>> 0;
    }
  }
  return { hi, lo };
}

const T64 = crc64Tables(CRC64NVME_POLY_HI, CRC64NVME_POLY_LO);

/** Incremental CRC64/NVME (reflected, init and xorout all ones), as S3 and the AWS SDKs compute it. */
export class Crc64Nvme {
  #hi = 0xffffffff;
  #lo = 0xffffffff;

  update(data: Uint8Array): void {
    const H = T64.hi;
    const L = T64.lo;
    let ch = this.#hi;
    let cl = this.#lo;
    let i = 0;
    const n = data.length;
    const { head, words } = alignedRun(data);
    while (i < head) {
      const idx = (cl ^ data[i++]) & 0xff;
      cl = ((cl >>> 8) | (ch << 24)) ^ L[idx];
      ch = (ch >>> 8) ^ H[idx];
    }
    if (words > 0) {
      const w = new Uint32Array(data.buffer, data.byteOffset + i, words);
      for (let j = 0; j < words; j += 4) {
        const a = cl ^ w[j];
        const b = ch ^ w[j + 1];
        const c = w[j + 2];
        const d = w[j + 3];
        const a0 = 3840 + (a & 0xff);
        const a1 = 3584 + ((a >>> 8) & 0xff);
        const a2 = 3328 + ((a >>> 16) & 0xff);
        const a3 = 3072 + (a >>> 24);
        const b0 = 2816 + (b & 0xff);
        const b1 = 2560 + ((b >>> 8) & 0xff);
        const b2 = 2304 + ((b >>> 16) & 0xff);
        const b3 = 2048 + (b >>> 24);
        const c0 = 1792 + (c & 0xff);
        const c1 = 1536 + ((c >>> 8) & 0xff);
        const c2 = 1280 + ((c >>> 16) & 0xff);
        const c3 = 1024 + (c >>> 24);
        const d0 = 768 + (d & 0xff);
        const d1 = 512 + ((d >>> 8) & 0xff);
        const d2 = 256 + ((d >>> 16) & 0xff);
        const d3 = d >>> 24;
        ch =
          H[a0] ^
          H[a1] ^
          H[a2] ^
          H[a3] ^
          H[b0] ^
          H[b1] ^
          H[b2] ^
          H[b3] ^
          H[c0] ^
          H[c1] ^
          H[c2] ^
          H[c3] ^
          H[d0] ^
          H[d1] ^
          H[d2] ^
          H[d3];
        cl =
          L[a0] ^
          L[a1] ^
          L[a2] ^
          L[a3] ^
          L[b0] ^
          L[b1] ^
          L[b2] ^
          L[b3] ^
          L[c0] ^
          L[c1] ^
          L[c2] ^
          L[c3] ^
          L[d0] ^
          L[d1] ^
          L[d2] ^
          L[d3];
      }
      i += words * 4;
    }
    while (i < n) {
      const idx = (cl ^ data[i++]) & 0xff;
      cl = ((cl >>> 8) | (ch << 24)) ^ L[idx];
      ch = (ch >>> 8) ^ H[idx];
    }
    this.#hi = ch >>> 0;
    this.#lo = cl >>> 0;
  }

  /** The 8 big-endian bytes of the finalized CRC. */
  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32BE(~this.#hi >>> 0, 0);
    out.writeUInt32BE(~this.#lo >>> 0, 4);
    return out;
  }
}
