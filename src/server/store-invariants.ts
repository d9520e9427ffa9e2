/**
 * What both persistent KeyStores (file-store.ts, postgres-store.ts) check of the calls they are
 * given, and the pieces of their KeyStore contract that are the same in both, in one place so
 * that the two stores refuse the same calls with the same messages (keys/store.ts states the
 * contract; keys/memory.ts is the in-memory store). Node only by use, not by need.
 */
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import { toSnapshot, type KeyStoreSnapshot } from '../keys/snapshot.js';
import { existingUsageLog, withUsage } from '../keys/usage.js';

/** The default `log` of a store: warnings and notices on stderr, prefixed. */
export const warn = (message: string): void => console.warn(`kms-core: ${message}`);

/** KeyStore.updateKeys: refuses a list that names a key twice (the stores lock and write each once). */
export function checkDistinctKeys(arns: readonly string[]): void {
  /* Precondition: each key is named once. */
  if (new Set(arns).size !== arns.length) throw new Error('kms-core: updateKeys names a key twice');
}

/** KeyStore.updateKeys: refuses a `mutate` that turned the record in slot `arn` into another key. */
export function checkSameKey(record: KeyRecord | undefined, arn: string): void {
  /* Precondition: mutate never changes which key a record is. */
  if (record && record.arn !== arn) throw new Error('kms-core: updateKeys must not change a key ARN');
}

/** The refusal of a createKey whose key is already in the store (a caller's bug, not a client's). */
export function duplicateKey(arn: string): Error {
  return new Error(`kms-core: duplicate key ${arn}`);
}

/**
 * A store's records as a key-store snapshot, with the usage its Kms instances recorded on them
 * (keys/usage.ts: the records themselves are not rewritten on every use).
 */
export function snapshotWithUsage(store: object, keys: readonly KeyRecord[], aliases: readonly AliasRecord[]): KeyStoreSnapshot {
  const usage = existingUsageLog(store);
  return toSnapshot(
    keys.map((r) => withUsage(r, usage)),
    aliases,
  );
}
