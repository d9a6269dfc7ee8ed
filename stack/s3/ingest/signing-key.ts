// SigV4 key derivation with a small bounded cache: four HMACs per request otherwise, and a
// dev stack signs with a handful of keys for a day at a time.
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

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

export interface SigningKeyCache {
  get(secret: string, date: string, region: string, service: string): Buffer;
}

/** A cache of derived signing keys, evicting the oldest entry past `max`. @default max 64 */
export function createSigningKeyCache(max = 64): SigningKeyCache {
  const map = new Map<string, Buffer>();
  return {
    get(secret, date, region, service) {
      const id = `${date}\0${region}\0${service}\0${secret}`;
      const hit = map.get(id);
      if (hit) return hit;
      const key = deriveSigningKey(secret, date, region, service);
      prepared.set(key, createSecretKey(key));
      if (map.size >= max) map.delete(map.keys().next().value as string);
      map.set(id, key);
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

/** Constant-time comparison of two hex signatures (lengths differing is a plain mismatch). */
export function signaturesEqual(expectedHex: string, providedHex: string): boolean {
  const a = Buffer.from(expectedHex, 'utf8');
  const b = Buffer.from(providedHex, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
