// CRC32C and CRC64NVME in plain JavaScript, slicing-by-8 so hashing keeps up with the socket
// (Node ships only CRC32 natively). CRC64 state is kept as two uint32 halves: BigInt per byte
// would be two orders of magnitude slower.

const CRC32C_POLY = 0x82f63b78; // reflected Castagnoli
const CRC64NVME_POLY_HI = 0x9a6c9329; // reflected 0xad93d23594c93659
const CRC64NVME_POLY_LO = 0xac4bc9b5;

function crc32Tables(poly: number): Uint32Array[] {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[0][i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) t[k][i] = (t[k - 1][i] >>> 8) ^ t[0][t[k - 1][i] & 0xff];
  }
  return t;
}

const C32 = crc32Tables(CRC32C_POLY);

/** Continues a CRC32C over `data`; `crc` is the finalized value of the bytes so far (0 to start). */
export function crc32c(data: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = C32;
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n & 7);
  while (i < end8) {
    const lo = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    const hi = data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24);
    c =
      t7[lo & 0xff] ^
      t6[(lo >>> 8) & 0xff] ^
      t5[(lo >>> 16) & 0xff] ^
      t4[lo >>> 24] ^
      t3[hi & 0xff] ^
      t2[(hi >>> 8) & 0xff] ^
      t1[(hi >>> 16) & 0xff] ^
      t0[hi >>> 24];
    i += 8;
  }
  while (i < n) c = (c >>> 8) ^ t0[(c ^ data[i++]) & 0xff];
  return ~c >>> 0;
}

interface Crc64Tables {
  hi: Uint32Array[];
  lo: Uint32Array[];
}

function crc64Tables(polyHi: number, polyLo: number): Crc64Tables {
  const hi = Array.from({ length: 8 }, () => new Uint32Array(256));
  const lo = Array.from({ length: 8 }, () => new Uint32Array(256));
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
    hi[0][i] = h;
    lo[0][i] = l;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const ph = hi[k - 1][i];
      const pl = lo[k - 1][i];
      const idx = pl & 0xff;
      hi[k][i] = (ph >>> 8) ^ hi[0][idx];
      lo[k][i] = (((pl >>> 8) | (ph << 24)) ^ lo[0][idx]) >>> 0;
    }
  }
  return { hi, lo };
}

const C64 = crc64Tables(CRC64NVME_POLY_HI, CRC64NVME_POLY_LO);

/** Incremental CRC64/NVME (reflected, init and xorout all ones), as S3 and the AWS SDKs compute it. */
export class Crc64Nvme {
  #hi = 0xffffffff;
  #lo = 0xffffffff;

  update(data: Uint8Array): void {
    const { hi: H, lo: L } = C64;
    const [h0, h1, h2, h3, h4, h5, h6, h7] = H;
    const [l0, l1, l2, l3, l4, l5, l6, l7] = L;
    let ch = this.#hi;
    let cl = this.#lo;
    let i = 0;
    const n = data.length;
    const end8 = n - (n & 7);
    while (i < end8) {
      const a = cl ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
      const b = ch ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24));
      const a0 = a & 0xff;
      const a1 = (a >>> 8) & 0xff;
      const a2 = (a >>> 16) & 0xff;
      const a3 = a >>> 24;
      const b0 = b & 0xff;
      const b1 = (b >>> 8) & 0xff;
      const b2 = (b >>> 16) & 0xff;
      const b3 = b >>> 24;
      ch = h7[a0] ^ h6[a1] ^ h5[a2] ^ h4[a3] ^ h3[b0] ^ h2[b1] ^ h1[b2] ^ h0[b3];
      cl = l7[a0] ^ l6[a1] ^ l5[a2] ^ l4[a3] ^ l3[b0] ^ l2[b1] ^ l1[b2] ^ l0[b3];
      i += 8;
    }
    while (i < n) {
      const idx = (cl ^ data[i++]) & 0xff;
      cl = ((cl >>> 8) | (ch << 24)) ^ l0[idx];
      ch = (ch >>> 8) ^ h0[idx];
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
