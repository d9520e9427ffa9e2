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
 * Schema and migrations: postgres-schema.ts. Writes are transactions: createKey and
 * createAlias insert only if absent (a second server creating the same alias loses); updateKey
 * reads the key under a row lock (SELECT … FOR UPDATE), applies `mutate` exactly once to that
 * newest record and writes it back, so two servers rotating one key at once never lose a
 * rotation; updateKeys does the same for the keys of a multi-Region set in one transaction
 * (rows locked in ARN order). A call returns once its transaction has committed.
 *
 * Reads are cached in-process: getKey and getAlias answer from memory without a round trip.
 * Every write notifies (NOTIFY kms_core_changes, delivered at commit) and every store LISTENs,
 * dropping the entries another process changed, typically within milliseconds. The hard bound
 * does not rest on notifications: an entry is used for at most `maxStalenessMs` after the read
 * that filled it began (and not at all while the listening connection is down), so a change
 * committed at time t is seen by every read that starts after t + maxStalenessMs. List calls
 * (ListKeys, ListAliases, ListRetirableGrants) always read the database.
 */
import { INSPECT, summary } from '../keys/redact.js';
import type { Client, Pool, PoolClient } from 'pg';
import { ValidationException } from '../errors.js';
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import { fromSnapshot, toSnapshot, type KeyStoreSnapshot } from '../keys/snapshot.js';
import type { KeyStore } from '../keys/store.js';
import {
  ALIASES,
  CHILDREN,
  CREATE_ALIAS,
  DELETE_ALIAS,
  DELETE_KEY,
  INSERT_KEYS,
  MIGRATIONS,
  MIGRATION_LOCK,
  NOTIFY_CHANNEL,
  PUT_ALIAS,
  SCHEMA_VERSION,
  SELECT_ALIAS,
  SELECT_KEY,
  UPDATE_KEY,
  fromRow,
  keyFromRows,
  keyToRows,
  stableJson,
  toRow,
} from './postgres-schema.js';
import { aliasFromJson, aliasToJson, keyFromJson, keyToJson, type Json } from './record-json.js';
import { existingUsageLog, withUsage } from '../keys/usage.js';

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

interface Cached<T> {
  value: T;
  /** performance.now() when the read that filled the entry began. */
  at: number;
  version: number;
}

type PgModule = typeof import('pg');

async function loadPg(): Promise<PgModule> {
  try {
    const m = (await import('pg')) as PgModule & { default?: PgModule };
    return m.default ?? m;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' || (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new Error("kms-core: the PostgreSQL store needs the 'pg' package (an optional peer dependency): npm install pg");
    }
    throw e;
  }
}

/** Decodes a key read by SELECT_KEY; the row's version comes along. */
function decodeKey(row: Json): { record: KeyRecord; version: number } {
  const k = row.k as Json;
  const json = keyFromRows(
    k,
    CHILDREN.map((_, i) => row[`c${i}`] as Json[]),
  );
  return { record: keyFromJson(json), version: Number(k.version) };
}

/** Writes `record` over the key row `row` read (under its lock) in transaction `c`: the key row and the child rows that changed. Returns the new version. */
async function writeKey(c: PoolClient, arn: string, row: Json, record: KeyRecord): Promise<number> {
  const before = keyToRows(keyFromRows(row.k as Json, CHILDREN.map((_, i) => row[`c${i}`] as Json[])));
  const after = keyToRows(keyToJson(record));
  const params: unknown[] = [arn, JSON.stringify(after.key)];
  CHILDREN.forEach((t, i) => {
    const old = new Map((before.children[i] ?? []).map((r) => [r[t.id.column] as string, stableJson(r)]));
    const rows = after.children[i] ?? [];
    params.push(
      rows.map((r) => r[t.id.column] as string),
      JSON.stringify(rows.filter((r) => old.get(r[t.id.column] as string) !== stableJson(r))),
    );
  });
  const { rows: updated } = await c.query<{ version: string }>(UPDATE_KEY, params);
  return Number(updated[0]?.version);
}

function decodeAlias(row: Json): AliasRecord {
  return aliasFromJson(fromRow(ALIASES, row.a as Json));
}

const now = () => performance.now();

export class PostgresKeyStore implements KeyStore {
  private readonly pool: Pool;
  private readonly maxStaleness: number;
  private readonly cacheSize: number;
  private readonly log: (message: string) => void;
  private readonly keys = new Map<string, Cached<KeyRecord>>();
  private readonly aliases = new Map<string, Cached<AliasRecord>>();
  /** Highest version of each key another process announced (deleted: Infinity): older reads are not cached. */
  private readonly floor = new Map<string, number>();
  /** Bumped per alias notification: a read that began before one is not cached. */
  private readonly aliasEpoch = new Map<string, number>();
  /** Bumped whenever every entry is dropped (listener lost or back). */
  private generation = 0;
  private readonly loadingKeys = new Map<string, Promise<KeyRecord | undefined>>();
  private readonly loadingAliases = new Map<string, Promise<AliasRecord | undefined>>();
  private listener: Client | undefined;
  /** Whether cached entries may serve reads: listening (or told not to listen). */
  private cacheUsable: boolean;
  private closed = false;
  private reconnect: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly pg: PgModule,
    pool: Pool,
    private readonly options: PostgresKeyStoreOptions,
  ) {
    this.pool = pool;
    this.maxStaleness = options.maxStalenessMs ?? 1000;
    this.cacheSize = options.cacheSize ?? 100_000;
    this.log = options.log ?? ((m) => console.warn(`kms-core: ${m}`));
    // Without notifications the cache still serves reads, bounded by maxStalenessMs alone.
    this.cacheUsable = options.listen === false;
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
      await store.migrate();
      if (o.listen !== false) await store.listen();
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
    return { store: 'PostgreSQL', cachedKeys: this.keys.size, cachedAliases: this.aliases.size };
  }

  [INSPECT](): string {
    return summary('PostgresKeyStore', this.toJSON());
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query('CREATE TABLE IF NOT EXISTS kms_core_schema (version integer NOT NULL)');
      const { rows } = await c.query<{ version: number }>('SELECT version FROM kms_core_schema');
      const at = rows[0]?.version ?? 0;
      if (at > SCHEMA_VERSION) throw new Error(`kms-core: the database is at schema version ${at}, newer than this kms-core's ${SCHEMA_VERSION}`);
      for (let v = at; v < SCHEMA_VERSION; v++) await c.query(MIGRATIONS[v] as string);
      if (rows.length === 0) await c.query('INSERT INTO kms_core_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
      else if (at < SCHEMA_VERSION) await c.query('UPDATE kms_core_schema SET version = $1', [SCHEMA_VERSION]);
    });
  }

  // ───────────────────────────── change notifications ─────────────────────────────

  private async listen(): Promise<void> {
    const c = new this.pg.Client({ connectionString: this.options.connectionString });
    c.on('notification', (n) => {
      if (n.channel === NOTIFY_CHANNEL && n.payload) this.onChange(n.payload);
    });
    const lost = () => {
      if (this.listener !== c) return;
      this.listener = undefined;
      this.cacheUsable = false;
      this.dropAll();
      c.end().catch(() => undefined);
      if (this.closed) return;
      this.log('PostgreSQL store: lost the LISTEN connection; reading through to the database until it is back');
      this.scheduleListen(100);
    };
    c.on('error', lost);
    c.on('end', lost);
    try {
      await c.connect();
      await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      throw e;
    }
    this.listener = c;
    // Whatever changed while nobody listened is unknown: start from an empty cache.
    this.dropAll();
    this.cacheUsable = true;
  }

  private scheduleListen(ms: number): void {
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      if (this.closed) return;
      this.listen().then(
        () => this.log('PostgreSQL store: listening for changes again'),
        () => this.scheduleListen(Math.min(ms * 2, 5000)),
      );
    }, ms);
    this.reconnect.unref?.();
  }

  /** `k <version> <arn>`, `k - <arn>` (deleted) or `a <alias arn>`. */
  private onChange(payload: string): void {
    const [kind, a, b] = payload.split(' ');
    if (kind === 'k' && a !== undefined && b !== undefined) {
      const version = a === '-' ? Infinity : Number(a);
      this.floor.set(b, Math.max(this.floor.get(b) ?? 0, version));
      const c = this.keys.get(b);
      if (c && c.version < version) this.keys.delete(b);
      this.loadingKeys.delete(b);
    } else if (kind === 'a' && a !== undefined) {
      this.aliasEpoch.set(a, (this.aliasEpoch.get(a) ?? 0) + 1);
      this.aliases.delete(a);
      this.loadingAliases.delete(a);
    }
  }

  private dropAll(): void {
    this.generation++;
    this.keys.clear();
    this.aliases.clear();
    this.loadingKeys.clear();
    this.loadingAliases.clear();
  }

  private fresh<T>(c: Cached<T> | undefined): c is Cached<T> {
    return c !== undefined && this.cacheUsable && now() - c.at < this.maxStaleness;
  }

  private remember<T>(map: Map<string, Cached<T>>, id: string, entry: Cached<T>): void {
    map.delete(id);
    if (this.keys.size + this.aliases.size >= this.cacheSize) {
      // Evict the oldest entry of the larger map (Map iterates in insertion order).
      const victim = this.keys.size >= this.aliases.size ? this.keys : this.aliases;
      const first = victim.keys().next();
      if (!first.done) victim.delete(first.value);
    }
    if (this.cacheSize > 0) map.set(id, entry);
  }

  /** Caches a key read that began at `at` in `generation`, unless a newer version was announced since. */
  private rememberKey(record: KeyRecord, version: number, at: number, generation: number): void {
    if (generation !== this.generation || version < (this.floor.get(record.arn) ?? 0)) return;
    this.remember(this.keys, record.arn, { value: record, at, version });
  }

  // ───────────────────────────── reads ─────────────────────────────

  getKey(arn: string): KeyRecord | undefined | Promise<KeyRecord | undefined> {
    const c = this.keys.get(arn);
    if (this.fresh(c)) return c.value;
    let p = this.loadingKeys.get(arn);
    if (!p) {
      const at = now();
      const generation = this.generation;
      p = this.query(`${SELECT_KEY} WHERE k.arn = $1`, [arn]).then((rows) => {
        if (this.loadingKeys.get(arn) === p) this.loadingKeys.delete(arn);
        const row = rows[0];
        if (!row) return undefined;
        const { record, version } = decodeKey(row);
        this.rememberKey(record, version, at, generation);
        return record;
      });
      const q = p;
      q.catch(() => {
        if (this.loadingKeys.get(arn) === q) this.loadingKeys.delete(arn);
      });
      this.loadingKeys.set(arn, p);
    }
    return p;
  }

  /** Reads a key from the database, bypassing the cache (and refreshing it). */
  async refreshKey(arn: string): Promise<KeyRecord | undefined> {
    const at = now();
    const generation = this.generation;
    const row = (await this.query(`${SELECT_KEY} WHERE k.arn = $1`, [arn]))[0];
    if (!row) {
      this.keys.delete(arn);
      return undefined;
    }
    const { record, version } = decodeKey(row);
    this.rememberKey(record, version, at, generation);
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
    const c = this.aliases.get(aliasArn);
    if (this.fresh(c)) return c.value;
    let p = this.loadingAliases.get(aliasArn);
    if (!p) {
      const at = now();
      const generation = this.generation;
      const epoch = this.aliasEpoch.get(aliasArn) ?? 0;
      p = this.query(`${SELECT_ALIAS} WHERE a.alias_arn = $1`, [aliasArn]).then((rows) => {
        if (this.loadingAliases.get(aliasArn) === p) this.loadingAliases.delete(aliasArn);
        const row = rows[0];
        if (!row) return undefined;
        const alias = decodeAlias(row);
        if (generation === this.generation && epoch === (this.aliasEpoch.get(aliasArn) ?? 0)) this.remember(this.aliases, aliasArn, { value: alias, at, version: 0 });
        return alias;
      });
      const q = p;
      q.catch(() => {
        if (this.loadingAliases.get(aliasArn) === q) this.loadingAliases.delete(aliasArn);
      });
      this.loadingAliases.set(aliasArn, p);
    }
    return p;
  }

  async listAliases(region: string, accountId: string): Promise<AliasRecord[]> {
    const rows = await this.query(`${SELECT_ALIAS} WHERE a.region = $1 AND a.account_id = $2 ORDER BY a.alias_name COLLATE "C"`, [region, accountId]);
    return rows.map(decodeAlias);
  }

  // ───────────────────────────── writes ─────────────────────────────

  async createKey(record: KeyRecord): Promise<void> {
    const at = now();
    const generation = this.generation;
    const rows = keyToRows(keyToJson(record));
    const inserted = await this.query(INSERT_KEYS, [JSON.stringify([rows.key]), ...rows.children.map((c) => JSON.stringify(c))]);
    /* Precondition: key IDs are unique within an account and region. */
    if (inserted.length === 0) throw new Error(`kms-core: duplicate key ${record.arn}`);
    this.rememberKey(keyFromJson(keyToJson(record)), 1, at, generation);
  }

  async updateKey(arn: string, mutate: (record: KeyRecord) => void): Promise<KeyRecord | undefined> {
    const at = now();
    const generation = this.generation;
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
    this.rememberKey(out.record, out.version, at, generation);
    return out.record;
  }

  /**
   * Several keys changed in one transaction (a multi-Region set: KeyStore.updateKeys): their rows
   * are locked in ARN order (two servers changing overlapping sets never deadlock), read anew,
   * `mutate` applied once, and each key updated, inserted (a new record in an empty slot) or
   * deleted (an emptied slot, with its aliases), all committed together.
   */
  async updateKeys(arns: readonly string[], mutate: (records: (KeyRecord | undefined)[]) => void): Promise<(KeyRecord | undefined)[]> {
    /* Precondition: each key is named once. */
    if (new Set(arns).size !== arns.length) throw new Error('kms-core: updateKeys names a key twice');
    const at = now();
    const generation = this.generation;
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
        /* Precondition: mutate never changes which key a record is. */
        if (r && r.arn !== arn) throw new Error('kms-core: updateKeys must not change a key ARN');
        if (r && row) written.push({ record: keyFromJson(keyToJson(r)), version: await writeKey(c, arn, row, r) });
        else if (r) {
          const ins = keyToRows(keyToJson(r));
          const inserted = await c.query(INSERT_KEYS, [JSON.stringify([ins.key]), ...ins.children.map((x) => JSON.stringify(x))]);
          /* Precondition: key IDs are unique within an account and region. */
          if (inserted.rowCount === 0) throw new Error(`kms-core: duplicate key ${arn}`);
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
      if (w.record) this.rememberKey(w.record, w.version as number, at, generation);
      if (w.deleted) {
        this.keys.delete(arn);
        this.floor.set(arn, Infinity);
      }
      return w.record;
    });
  }

  /** Deletes a key and, in the same statement, every alias that targets it. */
  async deleteKey(arn: string): Promise<void> {
    await this.query(DELETE_KEY, [arn]);
    this.keys.delete(arn);
    this.floor.set(arn, Infinity);
  }

  async putAlias(alias: AliasRecord): Promise<void> {
    await this.query(PUT_ALIAS, [JSON.stringify([toRow(ALIASES, aliasToJson(alias))])]);
    this.aliases.delete(alias.aliasArn);
  }

  async createAlias(alias: AliasRecord): Promise<boolean> {
    const rows = await this.query(CREATE_ALIAS, [JSON.stringify([toRow(ALIASES, aliasToJson(alias))])]);
    this.aliases.delete(alias.aliasArn);
    return rows.length > 0;
  }

  async deleteAlias(aliasArn: string): Promise<void> {
    await this.query(DELETE_ALIAS, [aliasArn]);
    this.aliases.delete(aliasArn);
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
        const batch = keys.slice(i, i + 500).map((k) => keyToRows(keyToJson(k)));
        const inserted = await c.query(INSERT_KEYS, [JSON.stringify(batch.map((b) => b.key)), ...CHILDREN.map((_, j) => JSON.stringify(batch.flatMap((b) => b.children[j] ?? [])))]);
        if (inserted.rowCount !== batch.length) throw new ValidationException('Cannot import the snapshot: some of its keys are already in the database');
      }
      for (let i = 0; i < aliases.length; i += 500) {
        const rows = aliases.slice(i, i + 500).map((a) => toRow(ALIASES, aliasToJson(a)));
        const inserted = await c.query(CREATE_ALIAS, [JSON.stringify(rows)]);
        if (inserted.rowCount !== rows.length) throw new ValidationException('Cannot import the snapshot: some of its aliases are already in the database');
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
    const usage = existingUsageLog(this);
    return toSnapshot(
      keys.map((r) => withUsage(decodeKey(r).record, usage)),
      aliases.map(decodeAlias),
    );
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    const l = this.listener;
    this.listener = undefined;
    this.cacheUsable = false;
    await l?.end().catch(() => undefined);
    await this.pool.end();
  }

  private async query(text: string, params: unknown[]): Promise<Json[]> {
    return (await this.pool.query<Json>(text, params)).rows;
  }

  private async transaction<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch((r: Error) => (broken = r));
      throw e;
    } finally {
      c.release(broken);
    }
  }
}
