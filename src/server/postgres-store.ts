/**
 * PostgresKeyStore: a KeyStore in PostgreSQL, shared by every process that connects to the
 * same database (`kms-core serve --store postgres://…`, or an embedder's own Kms). Node only;
 * published as the `kms-core/store/postgres` subpath so the core bundle never includes it. It
 * needs the `pg` package (an optional peer dependency of kms-core: install it yourself).
 *
 *   import { PostgresKeyStore } from 'kms-core/store/postgres';
 *   const keyStore = await PostgresKeyStore.connect('postgres://kms@127.0.0.1/kms');
 *   const kms = new Kms({ keyStore });
 *   …
 *   await keyStore.close();
 *
 * Writes are transactions: createKey and createAlias insert only if absent (a second server
 * creating the same alias loses); updateKey reads the key under a row lock (SELECT … FOR
 * UPDATE), applies `mutate` exactly once to that newest record and writes it back, so two
 * servers rotating one key at once never lose a rotation; updateKeys does the same for the keys
 * of a multi-Region set in one transaction (rows locked in ARN order). A call returns once its
 * transaction has committed. List calls (ListKeys, ListAliases, ListRetirableGrants) always read
 * the database; getKey and getAlias are cached within a hard bound on staleness.
 *
 * This file is the KeyStore API. The parts, each in the file named after it:
 *   postgres-cache.ts       the read cache and its staleness bound
 *   postgres-listen.ts      the LISTEN connection that keeps the cache current
 *   postgres-connection.ts  loading `pg`; a statement, a transaction
 *   postgres-records.ts     records to and from rows; the key update that writes what changed
 *   postgres-schema.ts      the schema: migrations, rows, escaping, SQL statements
 */
import { INSPECT, summary } from '../keys/redact.js';
import type { Pool, PoolClient } from 'pg';
import { ValidationException } from '../errors.js';
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import { fromSnapshot, type KeyStoreSnapshot } from '../keys/snapshot.js';
import type { KeyStore } from '../keys/store.js';
import { ReadCache, now } from './postgres-cache.js';
import { inTransaction, loadPg, queryRows, type PgModule } from './postgres-connection.js';
import { ChangeListener } from './postgres-listen.js';
import { applyMigrations, SCHEMA_VERSION } from './postgres-migrations.js';
import { aliasRowsParam, decodeAlias, decodeKey, insertKeysParams, writeKey } from './postgres-records.js';
import { CHILDREN } from './postgres-rows.js';
import { CREATE_ALIAS, DELETE_ALIAS, DELETE_KEY, INSERT_KEYS, PUT_ALIAS, SELECT_ALIAS, SELECT_KEY } from './postgres-sql.js';
import { keyFromJson, keyToJson, type Json } from './record-json.js';
import { checkDistinctKeys, checkSameKey, duplicateKey, snapshotWithUsage, warn } from './store-invariants.js';

export interface PostgresKeyStoreOptions {
  /** `postgres://user:password@host:port/database`; without it, pg's PG* environment variables apply. */
  connectionString?: string;
  /** Connections in the pool; default 10. */
  poolSize?: number;
  /** Hard bound (ms) on how long a change made by another process can go unseen by a read; default 1000. */
  maxStalenessMs?: number;
  /** Drop cached entries on change notifications (LISTEN/NOTIFY); default true. Off, only `maxStalenessMs` bounds staleness. */
  listen?: boolean;
  /** Records (keys plus aliases) kept in the cache; default 100,000. */
  cacheSize?: number;
  /** Notices (the listening connection lost and back); default console.warn. */
  log?: (message: string) => void;
}

export class PostgresKeyStore implements KeyStore {
  private readonly pool: Pool;
  private readonly cache: ReadCache;
  private readonly listener: ChangeListener;
  private closed = false;

  private constructor(pg: PgModule, pool: Pool, options: PostgresKeyStoreOptions) {
    this.pool = pool;
    // Without notifications the cache still serves reads, bounded by maxStalenessMs alone.
    const cache = new ReadCache(options.maxStalenessMs ?? 1000, options.cacheSize ?? 100_000, options.listen === false);
    this.cache = cache;
    this.listener = new ChangeListener(pg, options.connectionString, options.log ?? warn, {
      change: (payload) => cache.onChange(payload),
      lost: () => {
        cache.usable = false;
        cache.dropAll();
      },
      listening: () => {
        cache.dropAll();
        cache.usable = true;
      },
    });
  }

  /**
   * Connects, applies the schema migrations the database lacks and starts listening for
   * changes. Throws when the database cannot be reached or has a newer schema.
   */
  static async connect(options: PostgresKeyStoreOptions | string = {}): Promise<PostgresKeyStore> {
    const o = typeof options === 'string' ? { connectionString: options } : options;
    /* Precondition: the bounds are non-negative numbers. */
    for (const [name, v] of [
      ['maxStalenessMs', o.maxStalenessMs],
      ['poolSize', o.poolSize],
      ['cacheSize', o.cacheSize],
    ] as const) {
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new ValidationException(`Invalid PostgresKeyStore option ${name}: must be a number ≥ 0`);
    }
    const pg = await loadPg();
    const pool = new pg.Pool({ connectionString: o.connectionString, max: o.poolSize ?? 10 });
    // An idle connection that breaks (server restart) is dropped by the pool; do not crash.
    pool.on('error', () => undefined);
    const store = new PostgresKeyStore(pg, pool, o);
    try {
      await store.transaction(applyMigrations);
      if (o.listen !== false) await store.listener.start();
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  /** The schema version this database is at after connect. */
  static readonly schemaVersion = SCHEMA_VERSION;

  /** util.inspect and JSON.stringify show a summary, never cached records or material (issue 12.5). */
  toJSON(): { store: string; cachedKeys: number; cachedAliases: number } {
    return { store: 'PostgreSQL', cachedKeys: this.cache.keys.size, cachedAliases: this.cache.aliases.size };
  }

  [INSPECT](): string {
    return summary('PostgresKeyStore', this.toJSON());
  }

  // ───────────────────────────── reads ─────────────────────────────

  getKey(arn: string): KeyRecord | undefined | Promise<KeyRecord | undefined> {
    const c = this.cache.keys.get(arn);
    if (this.cache.fresh(c)) return c.value;
    return this.cache.loadKey(arn, () => this.readKey(arn));
  }

  /** Reads a key from the database, bypassing the cache (and refreshing it). */
  async refreshKey(arn: string): Promise<KeyRecord | undefined> {
    const record = await this.readKey(arn);
    if (!record) this.cache.keys.delete(arn);
    return record;
  }

  /** Reads a key and caches what it read (unless the key changed since the read began). */
  private async readKey(arn: string): Promise<KeyRecord | undefined> {
    const at = now();
    const generation = this.cache.generation;
    const row = (await this.query(`${SELECT_KEY} WHERE k.arn = $1`, [arn]))[0];
    if (!row) return undefined;
    const { record, version } = decodeKey(row);
    this.cache.rememberKey(record, version, at, generation);
    return record;
  }

  async listKeys(region: string, accountId: string): Promise<KeyRecord[]> {
    const rows = await this.query(`${SELECT_KEY} WHERE k.region = $1 AND k.account_id = $2 ORDER BY k.created_seq`, [region, accountId]);
    return rows.map((r) => decodeKey(r).record);
  }

  async listAllKeys(region: string): Promise<KeyRecord[]> {
    const rows = await this.query(`${SELECT_KEY} WHERE k.region = $1 ORDER BY k.created_seq`, [region]);
    return rows.map((r) => decodeKey(r).record);
  }

  getAlias(aliasArn: string): AliasRecord | undefined | Promise<AliasRecord | undefined> {
    const c = this.cache.aliases.get(aliasArn);
    if (this.cache.fresh(c)) return c.value;
    return this.cache.loadAlias(aliasArn, async () => {
      const at = now();
      const generation = this.cache.generation;
      const epoch = this.cache.epochOf(aliasArn);
      const row = (await this.query(`${SELECT_ALIAS} WHERE a.alias_arn = $1`, [aliasArn]))[0];
      if (!row) return undefined;
      const alias = decodeAlias(row);
      this.cache.rememberAlias(alias, at, generation, epoch);
      return alias;
    });
  }

  async listAliases(region: string, accountId: string): Promise<AliasRecord[]> {
    const rows = await this.query(`${SELECT_ALIAS} WHERE a.region = $1 AND a.account_id = $2 ORDER BY a.alias_name COLLATE "C"`, [region, accountId]);
    return rows.map(decodeAlias);
  }

  // ───────────────────────────── writes ─────────────────────────────

  async createKey(record: KeyRecord): Promise<void> {
    const at = now();
    const generation = this.cache.generation;
    const inserted = await this.query(INSERT_KEYS, insertKeysParams([record]));
    /* Precondition: key IDs are unique within an account and region. */
    if (inserted.length === 0) throw duplicateKey(record.arn);
    this.cache.rememberKey(keyFromJson(keyToJson(record)), 1, at, generation);
  }

  async updateKey(arn: string, mutate: (record: KeyRecord) => void): Promise<KeyRecord | undefined> {
    const at = now();
    const generation = this.cache.generation;
    const out = await this.transaction(async (c) => {
      // Lock first, then read in a new statement: under READ COMMITTED a statement that waited
      // for the lock sees the newest key row but its old snapshot of the child rows, which
      // would drop a backing key another server just added.
      const locked = await c.query('SELECT 1 FROM kms_core_keys WHERE arn = $1 FOR UPDATE', [arn]);
      if (locked.rowCount === 0) return undefined;
      const { rows } = await c.query<Json>(`${SELECT_KEY} WHERE k.arn = $1`, [arn]);
      const row = rows[0];
      if (!row) return undefined;
      const record = decodeKey(row).record;
      mutate(record);
      /* Precondition: mutate never changes which key a record is. */
      if (record.arn !== arn) throw new Error('kms-core: updateKey must not change the key ARN');
      return { record: keyFromJson(keyToJson(record)), version: await writeKey(c, arn, row, record) };
    });
    if (!out) return undefined;
    this.cache.rememberKey(out.record, out.version, at, generation);
    return out.record;
  }

  /**
   * Several keys changed in one transaction (a multi-Region set: KeyStore.updateKeys): their rows
   * are locked in ARN order (two servers changing overlapping sets never deadlock), read anew,
   * `mutate` applied once, and each key updated, inserted (a new record in an empty slot) or
   * deleted (an emptied slot, with its aliases), all committed together.
   */
  async updateKeys(arns: readonly string[], mutate: (records: (KeyRecord | undefined)[]) => void): Promise<(KeyRecord | undefined)[]> {
    checkDistinctKeys(arns);
    const at = now();
    const generation = this.cache.generation;
    const out = await this.transaction(async (c) => {
      await c.query('SELECT 1 FROM kms_core_keys WHERE arn = ANY($1::text[]) ORDER BY arn FOR UPDATE', [[...arns].sort()]);
      const { rows } = await c.query<Json>(`${SELECT_KEY} WHERE k.arn = ANY($1::text[])`, [[...arns]]);
      const byArn = new Map(rows.map((r) => [(r.k as Json).arn as string, r]));
      const records = arns.map((a) => {
        const row = byArn.get(a);
        return row ? decodeKey(row).record : undefined;
      });
      mutate(records);
      const written: { record?: KeyRecord; version?: number; deleted?: boolean }[] = [];
      for (const [i, arn] of arns.entries()) {
        const r = records[i];
        const row = byArn.get(arn);
        checkSameKey(r, arn);
        if (r && row) written.push({ record: keyFromJson(keyToJson(r)), version: await writeKey(c, arn, row, r) });
        else if (r) {
          const inserted = await c.query(INSERT_KEYS, insertKeysParams([r]));
          /* Precondition: key IDs are unique within an account and region. */
          if (inserted.rowCount === 0) throw duplicateKey(arn);
          written.push({ record: keyFromJson(keyToJson(r)), version: 1 });
        } else if (row) {
          await c.query(DELETE_KEY, [arn]);
          written.push({ deleted: true });
        } else written.push({});
      }
      return written;
    });
    return arns.map((arn, i) => {
      const w = out[i] as { record?: KeyRecord; version?: number; deleted?: boolean };
      if (w.record) this.cache.rememberKey(w.record, w.version as number, at, generation);
      if (w.deleted) this.cache.deletedKey(arn);
      return w.record;
    });
  }

  /** Deletes a key and, in the same statement, every alias that targets it. */
  async deleteKey(arn: string): Promise<void> {
    await this.query(DELETE_KEY, [arn]);
    this.cache.deletedKey(arn);
  }

  async putAlias(alias: AliasRecord): Promise<void> {
    await this.query(PUT_ALIAS, [aliasRowsParam([alias])]);
    this.cache.aliases.delete(alias.aliasArn);
  }

  async createAlias(alias: AliasRecord): Promise<boolean> {
    const rows = await this.query(CREATE_ALIAS, [aliasRowsParam([alias])]);
    this.cache.aliases.delete(alias.aliasArn);
    return rows.length > 0;
  }

  async deleteAlias(aliasArn: string): Promise<void> {
    await this.query(DELETE_ALIAS, [aliasArn]);
    this.cache.aliases.delete(aliasArn);
  }

  // ───────────────────────────── whole-store operations ─────────────────────────────

  /**
   * Inserts every key and alias of a key-store snapshot (e.g. a `--data` directory's
   * `keystore.<region>.json` after a compaction, or InMemoryKeyStore#exportSnapshot), in
   * batches, in one transaction; keys already in the database are refused.
   */
  async importSnapshot(snapshot: unknown): Promise<{ keys: number; aliases: number }> {
    const { keys, aliases } = fromSnapshot(snapshot);
    await this.transaction(async (c) => {
      for (let i = 0; i < keys.length; i += 500) {
        const batch = keys.slice(i, i + 500);
        const inserted = await c.query(INSERT_KEYS, insertKeysParams(batch));
        if (inserted.rowCount !== batch.length) throw new ValidationException('Cannot import the snapshot: some of its keys are already in the database');
      }
      for (let i = 0; i < aliases.length; i += 500) {
        const batch = aliases.slice(i, i + 500);
        const inserted = await c.query(CREATE_ALIAS, [aliasRowsParam(batch)]);
        if (inserted.rowCount !== batch.length) throw new ValidationException('Cannot import the snapshot: some of its aliases are already in the database');
      }
    });
    // Fresh statistics after a bulk insert, so that the planner keeps using the indexes.
    await this.query(`ANALYZE ${['kms_core_keys', ...CHILDREN.map((t) => t.table), 'kms_core_aliases'].join(', ')}`, []);
    return { keys: keys.length, aliases: aliases.length };
  }

  /** Every key and alias as a key-store snapshot, with this process's recorded usage (keys/usage.ts; holds key material in the clear). */
  async exportSnapshot(): Promise<KeyStoreSnapshot> {
    const keys = await this.query(`${SELECT_KEY} ORDER BY k.created_seq`, []);
    const aliases = await this.query(`${SELECT_ALIAS} ORDER BY a.alias_arn COLLATE "C"`, []);
    return snapshotWithUsage(
      this,
      keys.map((r) => decodeKey(r).record),
      aliases.map(decodeAlias),
    );
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.usable = false;
    await this.listener.stop();
    await this.pool.end();
  }

  private query(text: string, params: unknown[]): Promise<Json[]> {
    return queryRows(this.pool, text, params);
  }

  private transaction<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }
}
