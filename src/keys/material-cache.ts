/**
 * Values derived from one material version (imported key objects, the envelope header prefix),
 * computed once and kept in a bounded LRU keyed by (kind, KeyMaterialId). An entry remembers the
 * material it was made from, so a store that hands out different material under the same
 * KeyMaterialId never gets a stale value. Holds key objects only, never plaintext or data keys.
 */
import { equalBytes } from '../util/bytes.js';
import { BoundedCache } from '../util/bounded-cache.js';
import type { MaybePromise } from '../util/maybe.js';
import type { BackingKey } from './record.js';
import { INSPECT, summary } from './redact.js';

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The values of one BackingKey object, by kind: an object with a property per kind rather than a
 * Map (one object instead of a Map and its hash table: ~130 bytes and one cold read less per key
 * and call at 10^5 keys, issue 14). Kinds are a few module constants ('hmac/', 'prefix/', …),
 * never request data, set in the same order, so V8 keeps holders in fast mode with one shared
 * shape. Built as an ordinary object, then cut off from Object.prototype (an Object.create(null)
 * object starts as a hash table): nothing a polluted prototype adds is ever read as a value.
 */
type Holder = Record<string, unknown>;
const holder = (): Holder => Object.setPrototypeOf({}, null) as Holder;

export class MaterialCache {
  // #private: key objects, memoized scalars and the material they came from never show in
  // util.inspect, whatever its options (issue 12.5).
  /** By (kind, KeyMaterialId): two generations, so eviction is O(1) and never clears everything. */
  readonly #entries: BoundedCache<string, { material: Uint8Array; value: unknown }>;
  /**
   * Fast path for stores that hand out the same record objects (the in-memory store): one
   * WeakMap lookup and one small Map lookup per value, which is what a call over 10^5 keys pays
   * on each of its keys (issue 14). A key object's entry is its import's promise while that
   * runs and the key object itself once it exists (`object`).
   */
  readonly #byObject = new WeakMap<BackingKey, Holder>();

  constructor(capacity = 4096) {
    this.#entries = new BoundedCache(capacity);
  }

  /** A summary for JSON.stringify and util.inspect: never an entry. */
  toJSON(): { entries: number } {
    return { entries: this.#entries.size };
  }

  [INSPECT](): string {
    return summary('MaterialCache', this.toJSON());
  }

  get<T>(bk: BackingKey, kind: string, make: (bk: BackingKey) => T): T {
    let own = this.#byObject.get(bk);
    if (own !== undefined) {
      const v = own[kind];
      if (v !== undefined || hasOwn.call(own, kind)) return v as T;
    }
    const value = this.lookup(bk, kind, make);
    if (own === undefined) this.#byObject.set(bk, (own = holder()));
    own[kind] = value;
    if (value instanceof Promise) value.catch(() => delete own[kind]);
    return value;
  }

  /**
   * Like `get` for a key object, made synchronously (node:crypto's createSecretKey) or by a
   * promise (WebCrypto's importKey): the value itself once it exists, the promise only while an
   * import runs, so a hit costs the caller no await and a synchronous backend never takes a
   * microtask, not even on a key's first use (issue 14). A `make` that throws is answered as a
   * rejection and nothing is cached; so is a failed import. A value that is undefined is
   * answered as its (settled) promise.
   */
  object<T>(bk: BackingKey, kind: string, make: (bk: BackingKey) => T | Promise<T>): MaybePromise<T> {
    const hit = this.#byObject.get(bk)?.[kind];
    if (hit !== undefined) return hit as T | Promise<T>;
    let v: T | Promise<T>;
    try {
      v = this.get(bk, kind, make);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!(v instanceof Promise)) return v === undefined ? Promise.resolve(v) : v;
    const p = v;
    p.then(
      (made) => {
        // Only while the promise is still the cached one (a failed import is dropped): from
        // then on the key object itself is answered, with no await.
        const own = this.#byObject.get(bk);
        if (made !== undefined && own !== undefined && own[kind] === p) own[kind] = made;
      },
      () => undefined,
    );
    return p;
  }

  /**
   * Drops every value made from material version `id` (all kinds), e.g. once imported material
   * was deleted or expired: no key object derived from it outlives it here. Values cached per
   * BackingKey object go with that object (callers replace, never reuse, a deleted version).
   */
  forget(id: string): void {
    this.#entries.deleteWhere((k) => k.endsWith(id));
  }

  private lookup<T>(bk: BackingKey, kind: string, make: (bk: BackingKey) => T): T {
    const id = kind + bk.id;
    const hit = this.#entries.get(id);
    if (hit && (hit.material === bk.material || equalBytes(hit.material, bk.material))) return hit.value as T;
    const value = make(bk);
    this.#entries.set(id, { material: bk.material, value });
    if (value instanceof Promise) {
      // A failed import is not cached.
      value.catch(() => {
        if (this.#entries.get(id)?.value === value) this.#entries.delete(id);
      });
    }
    return value;
  }
}
