// One bucket's objects: a map for lookups and a key array kept in S3's byte order for listings.
import { compareKeys, lowerBound } from '../key-order.ts';
import type { ObjectRecord } from './types.ts';

export class BucketIndex {
  readonly records = new Map<string, ObjectRecord>();
  readonly #sorted: string[] = [];
  #dirty = false;

  get size(): number {
    return this.records.size;
  }

  set(rec: ObjectRecord): void {
    if (!this.records.has(rec.key)) {
      if (this.#dirty) this.#sorted.push(rec.key);
      else this.#sorted.splice(lowerBound(this.#sorted, rec.key), 0, rec.key);
    }
    this.records.set(rec.key, rec);
  }

  /** Bulk load without keeping order on every insert; the next read sorts once. */
  load(rec: ObjectRecord): void {
    if (!this.records.has(rec.key)) this.#sorted.push(rec.key);
    this.records.set(rec.key, rec);
    this.#dirty = true;
  }

  delete(key: string): ObjectRecord | undefined {
    const rec = this.records.get(key);
    if (!rec) return undefined;
    this.records.delete(key);
    const keys = this.keys();
    const i = lowerBound(keys, key);
    if (keys[i] === key) keys.splice(i, 1);
    return rec;
  }

  /** Keys in byte order; callers must not mutate. */
  keys(): string[] {
    if (this.#dirty) {
      this.#sorted.sort(compareKeys);
      this.#dirty = false;
    }
    return this.#sorted;
  }
}
