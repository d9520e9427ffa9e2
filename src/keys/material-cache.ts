/**
 * Values derived from one material version (imported key objects, the envelope header prefix),
 * computed once and kept in a bounded LRU keyed by (kind, KeyMaterialId). An entry remembers the
 * material it was made from, so a store that hands out different material under the same
 * KeyMaterialId never gets a stale value. Holds key objects only, never plaintext or data keys.
 */
import { equalBytes } from '../util/bytes.js';
import type { MaybePromise } from '../util/maybe.js';
import type { BackingKey } from './record.js';
import { INSPECT, summary } from './redact.js';

export class MaterialCache {
  // #private: key objects, memoized scalars and the material they came from never show in
  // util.inspect, whatever its options (issue 12.5).
  readonly #entries = new Map<string, { material: Uint8Array; value: unknown }>();
  /** Fast path for stores that hand out the same record objects (the in-memory store). */
  readonly #byObject = new WeakMap<BackingKey, Map<string, unknown>>();
  readonly #capacity: number;
  /** What each cached import promise fulfilled with (settled): the synchronous path reads it here. */
  readonly #fulfilled = new WeakMap<Promise<unknown>, unknown>();

  constructor(capacity = 4096) {
    this.#capacity = capacity;
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
    if (own?.has(kind)) return own.get(kind) as T;
    const value = this.lookup(bk, kind, make);
    if (!own) this.#byObject.set(bk, (own = new Map()));
    own.set(kind, value);
    if (value instanceof Promise) value.catch(() => own.delete(kind));
    return value;
  }

  /**
   * Like `get` for a value made asynchronously (an imported key object): the promise while the
   * import runs, then the value itself, so a hit costs the caller no await (issue 14). A value
   * that is undefined is answered as its (settled) promise.
   */
  settled<T>(bk: BackingKey, kind: string, make: (bk: BackingKey) => Promise<T>): MaybePromise<T> {
    const p = this.get(bk, kind, (b) => {
      const made = make(b);
      made.then(
        (v) => this.#fulfilled.set(made, v),
        () => undefined,
      );
      return made;
    });
    const v = this.#fulfilled.get(p);
    return v !== undefined ? (v as T) : p;
  }

  /**
   * Drops every value made from material version `id` (all kinds), e.g. once imported material
   * was deleted or expired: no key object derived from it outlives it here. Values cached per
   * BackingKey object go with that object (callers replace, never reuse, a deleted version).
   */
  forget(id: string): void {
    for (const k of [...this.#entries.keys()]) if (k.endsWith(id)) this.#entries.delete(k);
  }

  private lookup<T>(bk: BackingKey, kind: string, make: (bk: BackingKey) => T): T {
    const id = kind + bk.id;
    const hit = this.#entries.get(id);
    if (hit && (hit.material === bk.material || equalBytes(hit.material, bk.material))) return hit.value as T;
    const value = make(bk);
    if (this.#entries.size >= this.#capacity) this.#entries.delete(this.#entries.keys().next().value as string);
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
