// A 32-bit CRC as S3 prints it (the big-endian bytes of the value), for any update function:
// zlib's CRC32 or our CRC32C. No imports, so the hash worker can load it without more.
export class Crc32Checksum {
  #fn: (data: Uint8Array, value: number) => number;
  #value = 0;
  constructor(fn: (data: Uint8Array, value: number) => number) {
    this.#fn = fn;
  }
  update(data: Uint8Array): void {
    this.#value = this.#fn(data, this.#value);
  }
  digest(): Buffer {
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(this.#value >>> 0, 0);
    return out;
  }
}
