/**
 * A bounded memo with no clear-all cliff: two generations of at most `capacity` entries each.
 * A hit in the older generation is promoted; when the current generation fills up it becomes
 * the older one and the oldest is dropped. Every operation is O(1) and the memory is bounded
 * (2 × capacity entries), whatever the number of distinct keys callers use, so a harness that
 * spreads calls over 10^5 keys keeps its hot keys cached instead of losing everything at once.
 */
export class BoundedCache<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  constructor(private readonly capacity = 4096) {}

  get(key: K): V | undefined {
    const hit = this.current.get(key);
    if (hit !== undefined || this.current.has(key)) return hit;
    if (!this.previous.has(key)) return undefined;
    const v = this.previous.get(key) as V;
    this.set(key, v);
    return v;
  }

  has(key: K): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  set(key: K, value: V): void {
    if (this.current.size >= this.capacity) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }

  delete(key: K): void {
    this.current.delete(key);
    this.previous.delete(key);
  }

  /** Drops every entry whose key satisfies `drop` (O(size): for rare invalidations only). */
  deleteWhere(drop: (key: K) => boolean): void {
    for (const m of [this.current, this.previous]) for (const k of [...m.keys()]) if (drop(k)) m.delete(k);
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}
