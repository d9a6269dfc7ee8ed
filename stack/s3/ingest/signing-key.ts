// SigV4 key derivation with a small bounded cache: four HMACs per request otherwise, and a
// dev stack signs with a handful of keys for a day at a time.
import { createHmac, createSecretKey, hash, type KeyObject } from 'node:crypto';

// createHmac with a raw Buffer key re-validates and wraps it on every call (about 6x the cost
// of the HMAC itself for a short string); a cached signing key is used once per request and
// once per aws-chunked chunk, so it carries a prepared KeyObject.
const prepared = new WeakMap<Uint8Array, KeyObject>();

export function hmac(key: Uint8Array | string, data: string): Buffer {
  const ready = typeof key === 'string' ? undefined : prepared.get(key);
  return createHmac('sha256', ready ?? key)
    .update(data, 'utf8')
    .digest();
}

/**
 * HMAC-SHA256 (RFC 2104) of a cached signing key as two one-shot hashes over blocks padded
 * once per key: createHmac builds a stream object per call, which cost more than the hashing
 * of a string to sign. Keys not from the cache go through createHmac.
 */
interface Pads {
  /** key ^ ipad, then room for the message. */
  inner: Buffer;
  /** key ^ opad, then the inner digest. */
  outer: Buffer;
}

const SHA256_BLOCK = 64;
const PAD_ROOM = 1024;
const padded = new WeakMap<Uint8Array, Pads>();

function padsFor(key: Uint8Array): Pads {
  const inner = Buffer.alloc(SHA256_BLOCK + PAD_ROOM, 0x36);
  const outer = Buffer.alloc(SHA256_BLOCK + 32, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] = 0x36 ^ key[i]!;
    outer[i] = 0x5c ^ key[i]!;
  }
  return { inner, outer };
}

/** Hex HMAC-SHA256 of `data` (UTF-8) under `key`, the same bytes as createHmac's. */
export function hmacHex(key: Uint8Array, data: string): string {
  const pads = padded.get(key);
  // A message that might not fit the pad buffer's room takes the general path.
  if (pads === undefined || data.length * 3 > PAD_ROOM) return hmac(key, data).toString('hex');
  const n = pads.inner.write(data, SHA256_BLOCK, 'utf8');
  const innerDigest = hash('sha256', pads.inner.subarray(0, SHA256_BLOCK + n), 'buffer') as Buffer;
  pads.outer.set(innerDigest, SHA256_BLOCK);
  return hash('sha256', pads.outer, 'hex');
}

export interface SigningKeyCache {
  get(secret: string, date: string, region: string, service: string): Buffer;
}

/** A cache of derived signing keys, evicting the oldest entry past `max`. @default max 64 */
export function createSigningKeyCache(max = 64): SigningKeyCache {
  const map = new Map<string, Buffer>();
  // The last key asked for, compared field by field: the common case (one client, one key)
  // neither builds the cache id nor hashes it.
  let last: { secret: string; date: string; region: string; service: string; key: Buffer } | undefined;
  return {
    get(secret, date, region, service) {
      if (
        last !== undefined &&
        last.secret === secret &&
        last.date === date &&
        last.region === region &&
        last.service === service
      ) {
        return last.key;
      }
      const id = `${date}\0${region}\0${service}\0${secret}`;
      const hit = map.get(id);
      if (hit) {
        last = { secret, date, region, service, key: hit };
        return hit;
      }
      const key = deriveSigningKey(secret, date, region, service);
      prepared.set(key, createSecretKey(key));
      // Signing keys are 32 bytes (one SHA-256 digest), shorter than the block: used as is.
      padded.set(key, padsFor(key));
      if (map.size >= max) map.delete(map.keys().next().value as string);
      map.set(id, key);
      last = { secret, date, region, service, key };
      return key;
    },
  };
}

export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/**
 * Constant-time comparison of two hex signatures (lengths differing is a plain mismatch): every
 * character is compared, with no early exit, and without encoding either into a Buffer.
 */
export function signaturesEqual(expectedHex: string, providedHex: string): boolean {
  const n = expectedHex.length;
  if (providedHex.length !== n) return false;
  let diff = 0;
  for (let i = 0; i < n; i++) diff |= expectedHex.charCodeAt(i) ^ providedHex.charCodeAt(i);
  return diff === 0;
}
