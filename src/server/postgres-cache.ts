/**
 * The in-process read cache of PostgresKeyStore (postgres-store.ts): getKey and getAlias answer
 * from memory without a round trip, within a hard bound on staleness. Node only.
 *
 * Every write notifies (postgres-sql.ts NOTIFY_CHANNEL, delivered at commit) and every store
 * LISTENs (postgres-listen.ts), dropping the entries another process changed (`onChange`),
 * typically within milliseconds. The hard bound does not rest on notifications: an entry is used
 * for at most `maxStalenessMs` after the read that filled it began (and not at all while the
 * listening connection is down: `usable`), so a change committed at time t is seen by every read
 * that starts after t + maxStalenessMs.
 *
 * A read that began before a change was announced never fills the cache with what it read: a
 * key's read carries the version it saw and is dropped below the newest version announced
 * (`floor`; deleted: Infinity); an alias's read is dropped when a notification for that alias
 * came meanwhile (`aliasEpoch`); any read is dropped when the whole cache was (`generation`).
 * Concurrent reads of one record share one query (`loadKey`, `loadAlias`).
 */
import type { AliasRecord, KeyRecord } from '../keys/record.js';

interface Cached<T> {
  value: T;
  /** performance.now() when the read that filled the entry began. */
  at: number;
  version: number;
}

export const now = () => performance.now();

/** One read in flight per id: callers asking while it runs share it; forgotten once it settles. */
function shared<T>(loading: Map<string, Promise<T>>, id: string, read: () => Promise<T>): Promise<T> {
  let p = loading.get(id);
  if (!p) {
    const q: Promise<T> = read().finally(() => {
      if (loading.get(id) === q) loading.delete(id);
    });
    p = q;
    loading.set(id, p);
  }
  return p;
}

export class ReadCache {
  readonly keys = new Map<string, Cached<KeyRecord>>();
  readonly aliases = new Map<string, Cached<AliasRecord>>();
  /** Highest version of each key another process announced (deleted: Infinity): older reads are not cached. */
  private readonly floor = new Map<string, number>();
  /** Bumped per alias notification: a read that began before one is not cached. */
  private readonly aliasEpoch = new Map<string, number>();
  /** Bumped whenever every entry is dropped (listener lost or back). */
  private dropped = 0;
  private readonly loadingKeys = new Map<string, Promise<KeyRecord | undefined>>();
  private readonly loadingAliases = new Map<string, Promise<AliasRecord | undefined>>();

  /**
   * @param maxStaleness ms an entry serves reads after the read that filled it began
   * @param size records (keys plus aliases) kept
   * @param usable whether entries may serve reads: listening (or told not to listen)
   */
  constructor(
    private readonly maxStaleness: number,
    private readonly size: number,
    public usable: boolean,
  ) {}

  /** Bumped whenever every entry is dropped: a read notes it as it begins. */
  get generation(): number {
    return this.dropped;
  }

  /** The alias's notification count: a read notes it as it begins. */
  epochOf(aliasArn: string): number {
    return this.aliasEpoch.get(aliasArn) ?? 0;
  }

  fresh<T>(c: Cached<T> | undefined): c is Cached<T> {
    return c !== undefined && this.usable && now() - c.at < this.maxStaleness;
  }

  /** Shares a read of key `arn` with the reads of it already in flight. */
  loadKey(arn: string, read: () => Promise<KeyRecord | undefined>): Promise<KeyRecord | undefined> {
    return shared(this.loadingKeys, arn, read);
  }

  loadAlias(aliasArn: string, read: () => Promise<AliasRecord | undefined>): Promise<AliasRecord | undefined> {
    return shared(this.loadingAliases, aliasArn, read);
  }

  /** Caches a key read that began at `at` in `generation`, unless a newer version was announced since. */
  rememberKey(record: KeyRecord, version: number, at: number, generation: number): void {
    if (generation !== this.dropped || version < (this.floor.get(record.arn) ?? 0)) return;
    this.remember(this.keys, record.arn, { value: record, at, version });
  }

  /** Caches an alias read that began at `at` in `generation` and `epoch`, unless it changed since. */
  rememberAlias(alias: AliasRecord, at: number, generation: number, epoch: number): void {
    if (generation === this.dropped && epoch === this.epochOf(alias.aliasArn)) this.remember(this.aliases, alias.aliasArn, { value: alias, at, version: 0 });
  }

  /** This process deleted key `arn`: no read of it that began before is cached. */
  deletedKey(arn: string): void {
    this.keys.delete(arn);
    this.floor.set(arn, Infinity);
  }

  /** A change notification: `k <version> <arn>`, `k - <arn>` (deleted) or `a <alias arn>`. */
  onChange(payload: string): void {
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

  /** Drops every entry and every read in flight (what changed meanwhile is unknown). */
  dropAll(): void {
    this.dropped++;
    this.keys.clear();
    this.aliases.clear();
    this.loadingKeys.clear();
    this.loadingAliases.clear();
  }

  private remember<T>(map: Map<string, Cached<T>>, id: string, entry: Cached<T>): void {
    map.delete(id);
    if (this.keys.size + this.aliases.size >= this.size) {
      // Evict the oldest entry of the larger map (Map iterates in insertion order).
      const victim: Map<string, Cached<unknown>> = this.keys.size >= this.aliases.size ? this.keys : this.aliases;
      const first = victim.keys().next();
      if (!first.done) victim.delete(first.value);
    }
    if (this.size > 0) map.set(id, entry);
  }
}
