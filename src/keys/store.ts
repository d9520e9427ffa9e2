/**
 * KeyStore: where key records and aliases live. kms-core ships an in-memory store; an
 * embedding emulator may supply its own (a database, files) and persist through the JSON
 * snapshot of keys/snapshot.ts.
 *
 * Several `Kms` instances (different accounts, same region) may share one store: records are
 * addressed by ARN, which carries region and account.
 *
 * Methods may answer synchronously or with a promise. `updateKey` must apply `mutate` to the
 * stored record and persist the result atomically with respect to other updates of the same key
 * (the in-memory store is trivially atomic: `mutate` is synchronous).
 */
import type { AliasRecord, KeyRecord } from './record.js';
import { INSPECT, summary } from './redact.js';
import { fromSnapshot, toSnapshot, type KeyStoreSnapshot } from './snapshot.js';
import { existingUsageLog, withUsage } from './usage.js';

export type { MaybePromise } from '../util/maybe.js';
import type { MaybePromise } from '../util/maybe.js';

export interface KeyStore {
  getKey(arn: string): MaybePromise<KeyRecord | undefined>;
  /** Inserts a new record; a record with the same ARN must not exist. */
  createKey(record: KeyRecord): MaybePromise<void>;
  /** Applies `mutate` to the stored record and persists it; returns the updated record. */
  updateKey(arn: string, mutate: (record: KeyRecord) => void): MaybePromise<KeyRecord | undefined>;
  deleteKey(arn: string): MaybePromise<void>;
  /**
   * Optional: one change to several keys, all or nothing (the keys of a multi-Region set,
   * src/keys/multi-region.ts). `mutate` gets the stored records under `arns` (distinct ARNs;
   * undefined where there is none), in that order, and changes them in place; it may put a new
   * record in an empty slot (that key is created) or empty a slot (that key is deleted, as
   * deleteKey deletes it). Atomic with respect to every other update of these keys, and durable
   * as one change. Returns the records as stored. Without it, src/keys/update-keys.ts writes the
   * keys one after the other (each atomically, the set not).
   */
  updateKeys?(arns: readonly string[], mutate: (records: (KeyRecord | undefined)[]) => void): MaybePromise<(KeyRecord | undefined)[]>;
  /**
   * Optional, for stores that cache records of a store shared with other processes (the
   * PostgreSQL store): reads one key from the shared store itself, bypassing and refreshing
   * the cache. For a caller about to answer that a ciphertext's backing key does not exist,
   * since another process may have just rotated the key. Stores without it are never stale.
   */
  refreshKey?(arn: string): MaybePromise<KeyRecord | undefined>;
  /** Every key of one account in one region, in creation order. */
  listKeys(region: string, accountId: string): MaybePromise<KeyRecord[]>;
  /**
   * Optional: every key of every account in one region (ListRetirableGrants finds grants on
   * other accounts' keys with it; without it, it searches the caller's account only).
   */
  listAllKeys?(region: string): MaybePromise<KeyRecord[]>;

  getAlias(aliasArn: string): MaybePromise<AliasRecord | undefined>;
  putAlias(alias: AliasRecord): MaybePromise<void>;
  /**
   * Optional: inserts the alias only if its ARN is free, atomically; false when it exists.
   * Without it, CreateAlias checks then puts, and two concurrent CreateAlias calls of one name
   * could both succeed.
   */
  createAlias?(alias: AliasRecord): MaybePromise<boolean>;
  deleteAlias(aliasArn: string): MaybePromise<void>;
  /** Every alias of one account in one region, sorted by name. */
  listAliases(region: string, accountId: string): MaybePromise<AliasRecord[]>;
}

interface Maps {
  readonly keys: Map<string, KeyRecord>;
  readonly aliases: Map<string, AliasRecord>;
}

/**
 * Each in-memory store's maps, kept outside the object so that util.inspect (whatever its
 * options) and JSON.stringify never reach a record's material (issue 12.5). Found through the
 * prototype chain, so a store wrapped as `Object.create(store)` keeps working.
 */
const MAPS = new WeakMap<object, Maps>();

function mapsOf(store: object): Maps {
  for (let o: object | null = store; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const m = MAPS.get(o);
    if (m) return m;
  }
  /* Precondition: only InMemoryKeyStore instances (or objects delegating to one) have maps. */
  throw new Error('kms-core: not an InMemoryKeyStore');
}

/** The embedded store: two maps (out of inspection's reach; exportSnapshot is the way out). */
export class InMemoryKeyStore implements KeyStore {
  constructor() {
    MAPS.set(this, { keys: new Map(), aliases: new Map() });
  }

  protected get keys(): Map<string, KeyRecord> {
    return mapsOf(this).keys;
  }

  protected get aliases(): Map<string, AliasRecord> {
    return mapsOf(this).aliases;
  }

  /** A summary for JSON.stringify and util.inspect: counts, never records. */
  toJSON(): { keys: number; aliases: number } {
    return { keys: this.keys.size, aliases: this.aliases.size };
  }

  [INSPECT](): string {
    return summary('InMemoryKeyStore', this.toJSON());
  }

  getKey(arn: string): KeyRecord | undefined {
    return this.keys.get(arn);
  }

  createKey(record: KeyRecord): void {
    /* Precondition: key IDs are unique within an account and region. */
    if (this.keys.has(record.arn)) throw new Error(`kms-core: duplicate key ${record.arn}`);
    this.keys.set(record.arn, record);
  }

  updateKey(arn: string, mutate: (record: KeyRecord) => void): KeyRecord | undefined {
    const r = this.keys.get(arn);
    if (!r) return undefined;
    mutate(r);
    return r;
  }

  deleteKey(arn: string): void {
    this.keys.delete(arn);
  }

  /** Applies `mutate` to copies, then swaps them in: a mutate that throws changes nothing. */
  updateKeys(arns: readonly string[], mutate: (records: (KeyRecord | undefined)[]) => void): (KeyRecord | undefined)[] {
    /* Precondition: each key is named once. */
    if (new Set(arns).size !== arns.length) throw new Error('kms-core: updateKeys names a key twice');
    const records = arns.map((a) => {
      const r = this.keys.get(a);
      return r && structuredClone(r);
    });
    mutate(records);
    records.forEach((r, i) => {
      /* Precondition: mutate never changes which key a record is. */
      if (r && r.arn !== arns[i]) throw new Error('kms-core: updateKeys must not change a key ARN');
    });
    arns.forEach((a, i) => {
      const r = records[i];
      if (r) this.keys.set(a, r);
      else this.keys.delete(a);
    });
    return records;
  }

  listKeys(region: string, accountId: string): KeyRecord[] {
    const out: KeyRecord[] = [];
    for (const r of this.keys.values()) if (r.region === region && r.accountId === accountId) out.push(r);
    return out;
  }

  listAllKeys(region: string): KeyRecord[] {
    const out: KeyRecord[] = [];
    for (const r of this.keys.values()) if (r.region === region) out.push(r);
    return out;
  }

  getAlias(aliasArn: string): AliasRecord | undefined {
    return this.aliases.get(aliasArn);
  }

  putAlias(alias: AliasRecord): void {
    this.aliases.set(alias.aliasArn, alias);
  }

  createAlias(alias: AliasRecord): boolean {
    if (this.aliases.has(alias.aliasArn)) return false;
    this.aliases.set(alias.aliasArn, alias);
    return true;
  }

  deleteAlias(aliasArn: string): void {
    this.aliases.delete(aliasArn);
  }

  listAliases(region: string, accountId: string): AliasRecord[] {
    const out: AliasRecord[] = [];
    for (const a of this.aliases.values()) if (a.region === region && a.accountId === accountId) out.push(a);
    return out.sort((a, b) => (a.aliasName < b.aliasName ? -1 : a.aliasName > b.aliasName ? 1 : 0));
  }

  /**
   * The whole store as a versioned JSON document (keys/snapshot.ts), with the usage its Kms
   * instances recorded (keys/usage.ts). Holds key material.
   */
  exportSnapshot(): KeyStoreSnapshot {
    const usage = existingUsageLog(this);
    return toSnapshot([...this.keys.values()].map((r) => withUsage(r, usage)), [...this.aliases.values()]);
  }

  /** Loads a snapshot (object or JSON text) into this store; throws ValidationException when malformed. */
  importSnapshot(snapshot: unknown): this {
    const { keys, aliases } = fromSnapshot(snapshot);
    for (const k of keys) this.keys.set(k.arn, k);
    for (const a of aliases) this.aliases.set(a.aliasArn, a);
    return this;
  }

  static fromSnapshot(snapshot: unknown): InMemoryKeyStore {
    return new InMemoryKeyStore().importSnapshot(snapshot);
  }
}
