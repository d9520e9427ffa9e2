/**
 * The changes a FileKeyStore journal record carries (file-store.ts; the line format is journal.ts),
 * their JSON codec, and how they apply to the store's tables. Kept apart from the write path so
 * that loading (file-store-load.ts) and committing (file-store-journaling.ts) decode and apply a
 * record the same way: a record's in-memory form is always the one a restart loads.
 *
 *   {"PutKey": <key, snapshot form>} | {"DeleteKey": "<key ARN>"}
 *   | {"PutAlias": <alias, snapshot form>} | {"DeleteAlias": "<alias ARN>"}
 *
 * A change holds a whole record, never a delta, so replaying a record twice is harmless: that is
 * what lets a crash at any step of a compaction load.
 */
import { ValidationException } from '../errors.js';
import { keyArn, partitionOf } from '../keys/arn.js';
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import { aliasFromJson, aliasToJson, keyFromJson, keyToJson, type Json } from './record-json.js';

/** A store's records, by key ARN and by alias ARN. */
export interface Tables {
  keys: Map<string, KeyRecord>;
  aliases: Map<string, AliasRecord>;
}

export type Change = { putKey: KeyRecord } | { deleteKey: string } | { putAlias: AliasRecord } | { deleteAlias: string };

export function encodeChange(c: Change): Json {
  if ('putKey' in c) return { PutKey: keyToJson(c.putKey) };
  if ('deleteKey' in c) return { DeleteKey: c.deleteKey };
  if ('putAlias' in c) return { PutAlias: aliasToJson(c.putAlias) };
  return { DeleteAlias: c.deleteAlias };
}

/** Throws ValidationException (never naming a value) when `v` is not a change. */
export function decodeChange(v: unknown): Change {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Json;
    const [name, ...more] = Object.keys(o);
    if (more.length === 0) {
      if (name === 'PutKey') return { putKey: keyFromJson(o.PutKey) };
      if (name === 'PutAlias') return { putAlias: aliasFromJson(o.PutAlias) };
      if (name === 'DeleteKey' && typeof o.DeleteKey === 'string') return { deleteKey: o.DeleteKey };
      if (name === 'DeleteAlias' && typeof o.DeleteAlias === 'string') return { deleteAlias: o.DeleteAlias };
    }
  }
  throw new ValidationException('a change must be one of PutKey, DeleteKey, PutAlias, DeleteAlias');
}

/** The records a store may hold: those of one region, or of the Regions of one partition. */
export interface Scope {
  region: string | undefined;
  partition: string | undefined;
}

/** Why a record of `region` does not belong in a store of `scope`, if it does not. */
export function outOfScope(scope: Scope, region: string): string | undefined {
  if (scope.region !== undefined && region !== scope.region) return `region ${scope.region}`;
  if (scope.partition !== undefined && partitionOf(region) !== scope.partition) return `partition ${scope.partition}`;
  return undefined;
}

/**
 * Applies changes to tables. With `check`, first refuses (ValidationException) a change that
 * breaks the store's invariants: a record of another region, an alias whose key is not there.
 */
export function apply(t: Tables, changes: readonly Change[], check: Scope | undefined): void {
  for (const c of changes) {
    if ('putKey' in c) {
      const out = check && outOfScope(check, c.putKey.region);
      if (out) throw new ValidationException(`key ${c.putKey.arn} is not in ${out}`);
      t.keys.set(c.putKey.arn, c.putKey);
    } else if ('deleteKey' in c) t.keys.delete(c.deleteKey);
    else if ('putAlias' in c) {
      const a = c.putAlias;
      if (check) {
        const out = outOfScope(check, a.region);
        if (out) throw new ValidationException(`alias ${a.aliasArn} is not in ${out}`);
        if (!t.keys.has(keyArn(a.region, a.accountId, a.targetKeyId))) throw new ValidationException(`alias ${a.aliasArn} targets a key that is not in the store`);
      }
      t.aliases.set(a.aliasArn, a);
    } else t.aliases.delete(c.deleteAlias);
  }
}
