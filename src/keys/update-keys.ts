/**
 * One change to several keys (a multi-Region set): through KeyStore.updateKeys where the store
 * has it (in memory, the journaled file store and the PostgreSQL store do: all or nothing, one
 * durable change), else key by key for a store that has only the per-key methods.
 *
 * Key by key, each write is atomic but the set is not: an interruption leaves some keys changed
 * and others not, and a concurrent change to a key between the read and its write is kept only
 * where `mutate` did not change the same field. To keep that narrow, a key's write applies only
 * the fields `mutate` changed, and its material versions are merged (added, never replaced).
 */
import type { KeyRecord } from './record.js';
import type { KeyStore } from './store.js';
import { addMissingVersions } from './multi-region.js';

/** Structural equality of record fields (plain data: objects, arrays, Uint8Array, primitives). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Applies to `r` (the newest stored record) what `mutate` changed from `before` to `after`. */
function applyChanges(r: KeyRecord, before: KeyRecord, after: KeyRecord): void {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof KeyRecord>;
  const target = r as unknown as Record<string, unknown>;
  for (const f of fields) {
    if (same(before[f], after[f])) continue;
    if (f === 'material') addMissingVersions(r, after.material);
    else if (after[f] === undefined) delete target[f];
    else target[f] = structuredClone(after[f]);
  }
}

export async function updateKeysOf(store: KeyStore, arns: readonly string[], mutate: (records: (KeyRecord | undefined)[]) => void): Promise<(KeyRecord | undefined)[]> {
  if (store.updateKeys) return store.updateKeys(arns, mutate);
  /* Precondition: each key is named once. */
  if (new Set(arns).size !== arns.length) throw new Error('kms-core: updateKeys names a key twice');
  const before = await Promise.all(arns.map(async (a) => structuredClone(await store.getKey(a))));
  const after = before.map((r) => r && structuredClone(r));
  mutate(after);
  const out: (KeyRecord | undefined)[] = [];
  for (const [i, arn] of arns.entries()) {
    const b = before[i];
    const a = after[i];
    /* Precondition: mutate never changes which key a record is. */
    if (a && a.arn !== arn) throw new Error('kms-core: updateKeys must not change a key ARN');
    if (!b && a) await store.createKey(a);
    else if (b && !a) await store.deleteKey(arn);
    else if (b && a) {
      out[i] = await store.updateKey(arn, (r) => applyChanges(r, b, a));
      continue;
    }
    out[i] = a;
  }
  return out;
}
