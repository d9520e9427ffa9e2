/**
 * FileKeyStore: a KeyStore kept in one JSON file, durably. Node only.
 *
 * The file is the key-store snapshot (keys/snapshot.ts: `{"format": "kms-core/key-store",
 * "version": 1, …}`), so it can be read back with `InMemoryKeyStore.fromSnapshot` and vice versa.
 *
 * Durability: a call that creates or changes a key or alias returns only after a snapshot
 * holding the change is on disk: written to a temp file in the same directory, fsynced,
 * renamed over the store file, and the directory fsynced. The rename is atomic, so a kill -9
 * (or a power cut) at any moment leaves either the previous or the new complete snapshot,
 * never a torn one; every snapshot is parsed back with the strict snapshot reader before it is
 * written, so the store never writes a file it would refuse to load.
 *
 * Readers see committed state only: a change becomes visible to getKey/listKeys once it is
 * durable. So a backing key created by a rotation that is still being written cannot encrypt
 * anything yet, and no ciphertext a caller holds ever depends on material the disk lacks.
 *
 * Changes made while a write is in flight are batched into the next write (group commit): a
 * burst of rotations costs one fsync per batch, not one per call. Changes apply in call order
 * on top of the latest (possibly not yet durable) state, so concurrent updates never lose one
 * another. A failed write rejects every call in its batch and those queued behind it; the
 * store stays at the last durable state.
 */
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ValidationException } from '../errors.js';
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import { fromSnapshot, toSnapshot } from '../keys/snapshot.js';
import type { KeyStore } from '../keys/store.js';
import { INSPECT, summary } from '../keys/redact.js';

/** The file operations a write goes through; injectable so tests can fail any step. */
export interface FileIo {
  /** Writes `data` to a new file at `path` (mode 0600) and fsyncs it. */
  writeSynced(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** fsyncs a directory so that a rename in it is durable. */
  syncDir(dir: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export const nodeFileIo: FileIo = {
  async writeSynced(path, data) {
    const fh = await open(path, 'wx', 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  rename: (from, to) => rename(from, to),
  async syncDir(dir) {
    let fh;
    try {
      fh = await open(dir, 'r');
    } catch (e) {
      // Windows cannot open a directory; its renames are as durable as it offers.
      if (process.platform === 'win32') return;
      throw e;
    }
    try {
      await fh.sync();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!(process.platform === 'win32' || code === 'EINVAL' || code === 'EISDIR' || code === 'EPERM')) throw e;
    } finally {
      await fh.close();
    }
  },
  unlink: (path) => unlink(path),
};

export interface FileKeyStoreOptions {
  /** When set, every key and alias in the file must belong to this region (one store per region). */
  region?: string;
  /** File operations; default node:fs with fsync. */
  io?: FileIo;
}

interface State {
  keys: Map<string, KeyRecord>;
  aliases: Map<string, AliasRecord>;
}

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
}

/** A deep copy: a change to it (material, grants, …) can never reach the committed record. */
function cloneKey(r: KeyRecord): KeyRecord {
  return structuredClone(r);
}

const TEMP = /^\..+\.\d+\.\d+\.tmp$/;

export class FileKeyStore implements KeyStore {
  /** The store file. */
  readonly path: string;
  readonly region: string | undefined;
  private readonly io: FileIo;
  /** The durable state: what reads see. */
  private committed: State;
  /** The newest state: committed plus changes being written or queued. */
  private latest: State;
  private dirty = false;
  private waiters: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private seq = 0;
  /** Snapshots written so far (for tests and diagnostics). */
  writes = 0;

  private constructor(path: string, state: State, options: FileKeyStoreOptions) {
    this.path = path;
    this.region = options.region;
    this.io = options.io ?? nodeFileIo;
    this.committed = state;
    this.latest = state;
  }

  /** util.inspect and JSON.stringify show a summary, never records or material (issue 12.5). */
  toJSON(): { path: string; keys: number; aliases: number } {
    return { path: this.path, keys: this.committed.keys.size, aliases: this.committed.aliases.size };
  }

  [INSPECT](): string {
    return summary('FileKeyStore', this.toJSON());
  }

  /**
   * Opens (or starts) the store at `path`. A missing file is an empty store; a file that is not
   * a valid snapshot is refused with ValidationException naming the file. Leftover temp files
   * of an interrupted write are removed: the caller must be the only writer of the directory.
   */
  static async open(path: string, options: FileKeyStoreOptions = {}): Promise<FileKeyStore> {
    const dir = dirname(path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const prefix = `.${basename(path)}.`;
    for (const f of await readdir(dir)) {
      if (f.startsWith(prefix) && TEMP.test(f)) await unlink(join(dir, f)).catch(() => undefined);
    }
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const state: State = { keys: new Map(), aliases: new Map() };
    if (text !== undefined) {
      let parsed;
      try {
        parsed = fromSnapshot(text);
      } catch (e) {
        throw new ValidationException(`Cannot load key store ${path}: ${(e as Error).message}`);
      }
      for (const k of parsed.keys) {
        if (options.region !== undefined && k.region !== options.region) {
          throw new ValidationException(`Cannot load key store ${path}: key ${k.arn} is not in region ${options.region}`);
        }
        state.keys.set(k.arn, k);
      }
      for (const a of parsed.aliases) {
        if (options.region !== undefined && a.region !== options.region) {
          throw new ValidationException(`Cannot load key store ${path}: alias ${a.aliasArn} is not in region ${options.region}`);
        }
        state.aliases.set(a.aliasArn, a);
      }
    }
    return new FileKeyStore(path, state, options);
  }

  // ───────────────────────────── reads: committed state only ─────────────────────────────

  getKey(arn: string): KeyRecord | undefined {
    return this.committed.keys.get(arn);
  }

  listKeys(region: string, accountId: string): KeyRecord[] {
    const out: KeyRecord[] = [];
    for (const r of this.committed.keys.values()) if (r.region === region && r.accountId === accountId) out.push(r);
    return out;
  }

  /** Every key of every account in one region (the optional KeyStore hook ListRetirableGrants uses). */
  listAllKeys(region: string): KeyRecord[] {
    const out: KeyRecord[] = [];
    for (const r of this.committed.keys.values()) if (r.region === region) out.push(r);
    return out;
  }

  getAlias(aliasArn: string): AliasRecord | undefined {
    return this.committed.aliases.get(aliasArn);
  }

  listAliases(region: string, accountId: string): AliasRecord[] {
    const out: AliasRecord[] = [];
    for (const a of this.committed.aliases.values()) if (a.region === region && a.accountId === accountId) out.push(a);
    return out.sort((a, b) => (a.aliasName < b.aliasName ? -1 : a.aliasName > b.aliasName ? 1 : 0));
  }

  // ───────────────────────────── writes: durable before they return ─────────────────────────────

  async createKey(record: KeyRecord): Promise<void> {
    await this.commit((s) => {
      /* Precondition: key IDs are unique within an account and region. */
      if (s.keys.has(record.arn)) throw new Error(`kms-core: duplicate key ${record.arn}`);
      s.keys.set(record.arn, cloneKey(record));
      return true;
    });
  }

  async updateKey(arn: string, mutate: (record: KeyRecord) => void): Promise<KeyRecord | undefined> {
    let updated: KeyRecord | undefined;
    await this.commit((s) => {
      const r = s.keys.get(arn);
      if (!r) return false;
      const c = cloneKey(r);
      mutate(c);
      s.keys.set(arn, c);
      updated = c;
      return true;
    });
    return updated;
  }

  /** Deletes a key and, in the same write, every alias that targets it. */
  async deleteKey(arn: string): Promise<void> {
    await this.commit((s) => {
      const r = s.keys.get(arn);
      if (!r) return false;
      s.keys.delete(arn);
      for (const [aArn, a] of s.aliases) {
        if (a.region === r.region && a.accountId === r.accountId && a.targetKeyId === r.keyId) s.aliases.delete(aArn);
      }
      return true;
    });
  }

  async putAlias(alias: AliasRecord): Promise<void> {
    await this.commit((s) => {
      s.aliases.set(alias.aliasArn, structuredClone(alias));
      return true;
    });
  }

  async createAlias(alias: AliasRecord): Promise<boolean> {
    let created = false;
    await this.commit((s) => {
      if (s.aliases.has(alias.aliasArn)) return false;
      s.aliases.set(alias.aliasArn, structuredClone(alias));
      created = true;
      return true;
    });
    return created;
  }

  async deleteAlias(aliasArn: string): Promise<void> {
    await this.commit((s) => s.aliases.delete(aliasArn));
  }

  /** Resolves once every change made so far is durable (or has failed). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** The committed store as a snapshot (the same document the file holds). */
  exportSnapshot() {
    return toSnapshot([...this.committed.keys.values()], [...this.committed.aliases.values()]);
  }

  /**
   * Applies `change` to a copy of the newest state (committed plus queued and in-flight changes)
   * and waits until a snapshot holding it is durable. `change` runs synchronously, in call
   * order; if it throws, nothing changes. It returns false when it changed nothing: no write
   * is needed, but the call still waits for the writes in flight, whose state it observed.
   */
  private commit(change: (s: State) => boolean): Promise<void> {
    const base = this.latest;
    const next: State = { keys: new Map(base.keys), aliases: new Map(base.aliases) };
    if (!change(next)) return this.flush();
    this.latest = next;
    this.dirty = true;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) this.writing = this.writeLoop();
    return done;
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.dirty) {
        const state = this.latest;
        const batch = this.waiters;
        this.dirty = false;
        this.waiters = [];
        try {
          await this.persist(state);
        } catch (e) {
          // Everything not durable is dropped: this batch and whatever was built on top of it.
          const later = this.waiters;
          this.latest = this.committed;
          this.dirty = false;
          this.waiters = [];
          for (const w of [...batch, ...later]) w.reject(e);
          continue;
        }
        this.committed = state;
        for (const w of batch) w.resolve();
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async persist(state: State): Promise<void> {
    const text = JSON.stringify(toSnapshot([...state.keys.values()], [...state.aliases.values()]));
    /* Precondition: never write a snapshot the reader would refuse. */
    fromSnapshot(text);
    const dir = dirname(this.path);
    const tmp = join(dir, `.${basename(this.path)}.${process.pid}.${++this.seq}.tmp`);
    try {
      await this.io.writeSynced(tmp, text);
      await this.io.rename(tmp, this.path);
    } catch (e) {
      await this.io.unlink(tmp).catch(() => undefined);
      throw e;
    }
    await this.io.syncDir(dir);
    this.writes++;
  }
}
