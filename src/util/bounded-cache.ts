/**
 * A bounded memo with no clear-all cliff: two generations of at most `capacity` entries each.
 * A hit in the older generation is promoted; when the current generation fills up it becomes
 * the older one and the oldest is dropped. Every operation is O(1) and the memory is bounded
 * (2 × capacity entries), whatever the number of distinct keys callers use, so a harness that
 * spreads calls over 10^5 keys keeps its hot keys cached instead of losing everything at once.
 */
export class BoundedCache<K, V> {
  // A stored undefined is kept as NONE, so that a lookup is one get per generation: a miss
  // (a key's first use) costs two probes, not four (issue 14).
  private current = new Map<K, V | typeof NONE>();
  private previous = new Map<K, V | typeof NONE>();
  /** The current generation's total weight, when entries are weighed (`weigh`). */
  private load = 0;

  /**
   * `capacity`: entries per generation; with `weigh`, the total weight of a generation instead
   * (a memo of parsed documents weighs each by its text's length, so that a few large ones
   * bound its memory as many small ones do).
   */
  constructor(
    private readonly capacity = 4096,
    private readonly weigh?: (key: K) => number,
  ) {}

  get(key: K): V | undefined {
    const hit = this.current.get(key);
    if (hit !== undefined) return hit === NONE ? undefined : hit;
    const old = this.previous.get(key);
    if (old === undefined) return undefined;
    this.put(key, old);
    return old === NONE ? undefined : old;
  }

  has(key: K): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  set(key: K, value: V): void {
    this.put(key, value === undefined ? NONE : value);
  }

  private put(key: K, stored: V | typeof NONE): void {
    const weigh = this.weigh;
    if ((weigh ? this.load : this.current.size) >= this.capacity) {
      this.previous = this.current;
      this.current = new Map();
      this.load = 0;
    }
    if (weigh && !this.current.has(key)) this.load += weigh(key);
    this.current.set(key, stored);
  }

  delete(key: K): void {
    if (this.current.delete(key) && this.weigh) this.load -= this.weigh(key);
    this.previous.delete(key);
  }

  /** Drops every entry whose key satisfies `drop` (O(size): for rare invalidations only). */
  deleteWhere(drop: (key: K) => boolean): void {
    for (const k of [...this.previous.keys()]) if (drop(k)) this.previous.delete(k);
    for (const k of [...this.current.keys()]) if (drop(k)) this.delete(k);
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}

/** The stored form of an undefined value (a module-private symbol: no caller's value is it). */
const NONE: unique symbol = Symbol('none');
