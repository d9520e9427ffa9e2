/**
 * FileKeyStore: a KeyStore kept in a snapshot file and a journal beside it, durably. Node only.
 *
 *   keystore.us-east-1.json          the snapshot: a key-store snapshot (keys/snapshot.ts) with a
 *                                    "journal": {"sequence": N, "generation": G} member, so it
 *                                    still loads with InMemoryKeyStore.fromSnapshot (as of change N)
 *   keystore.us-east-1.journal.G     changes N+1, N+2, … (journal.ts: one checksummed line each)
 *
 * Durability: a call that creates or changes a key or alias appends one record holding the
 * change (the whole record after it, in its snapshot form) to the journal and returns only once
 * it is fsynced. Calls made while an append is in flight share the next one (group commit), so
 * a burst costs one fsync per batch, and a change costs the same at 10^2 keys as at 10^5.
 *
 * Readers see durable state only: a change becomes visible to getKey/listKeys once its record
 * is on disk, so no ciphertext a caller holds ever depends on material the disk lacks. Changes
 * apply in call order on top of the newest (possibly not yet durable) state, so concurrent
 * updates never lose one another. A failed append rejects every call in its batch and those
 * queued behind it, the journal is cut back to its last durable record, and the store goes on.
 *
 * Compaction: once the journal outgrows both `compactAfterBytes` and the snapshot, appends move
 * to a new journal generation and the snapshot of the state so far is written in the background
 * (temp file, fsync, rename, directory fsync: atomic as before); then the older journals are
 * removed. Replaying is idempotent (a record holds whole records, not deltas), and records at or
 * below the snapshot's sequence are skipped, so a crash at any step of a compaction loads.
 *
 * Loading: the snapshot, then every journal in generation order. A torn or corrupt last record
 * (an interrupted append) is dropped with a warning and cut off; damage anywhere else stops the
 * load with a ValidationException naming the file and byte offset. A snapshot without the
 * "journal" member is a store written by kms-core ≤ 0.1 (one rewritten snapshot per change): it
 * loads unchanged and is marked at first open (migration); from then on changes go to the journal.
 */
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ValidationException } from '../errors.js';
import { keyArn, partitionOf } from '../keys/arn.js';
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, fromSnapshot, toSnapshot } from '../keys/snapshot.js';
import { existingUsageLog, withUsage } from '../keys/usage.js';
import type { KeyStore } from '../keys/store.js';
import { INSPECT, summary } from '../keys/redact.js';
import { JOURNAL_FORMAT, JOURNAL_VERSION, frameJson, header, scan } from './journal.js';
import { aliasFromJson, aliasToJson, keyFromJson, keyToJson, type Json } from './record-json.js';

/** A file opened for appending. */
export interface AppendFile {
  append(data: Uint8Array): Promise<void>;
  /** fdatasync: the appended bytes and the file size are durable. */
  sync(): Promise<void>;
  truncate(size: number): Promise<void>;
  close(): Promise<void>;
}

/** The file operations the store goes through; injectable so tests can fail any step. */
export interface FileIo {
  /** Writes `data` to a new file at `path` (mode 0600) and fsyncs it. */
  writeSynced(path: string, data: string | AsyncIterable<string>): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** fsyncs a directory so that a rename or a new file in it is durable. */
  syncDir(dir: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Opens an existing file for appending. */
  openAppend(path: string): Promise<AppendFile>;
}

export const nodeFileIo: FileIo = {
  async writeSynced(path, data) {
    const fh = await open(path, 'wx', 0o600);
    try {
      if (typeof data === 'string') await fh.writeFile(data, 'utf8');
      else for await (const chunk of data) await fh.write(chunk, null, 'utf8');
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
  async openAppend(path) {
    const fh = await open(path, 'a', 0o600);
    return {
      async append(data) {
        for (let off = 0; off < data.length; ) off += (await fh.write(data, off, data.length - off)).bytesWritten;
      },
      sync: () => fh.datasync(),
      truncate: (size) => fh.truncate(size),
      close: () => fh.close(),
    };
  },
};

export interface FileKeyStoreOptions {
  /** When set, every key and alias in the store must belong to this region (one store per region). */
  region?: string;
  /**
   * When set, every key and alias in the store must belong to a region of this partition (`aws`,
   * `aws-cn`, `aws-us-gov`): one store for the Regions of a partition, as `kms-core serve
   * --data` keeps them, so that a multi-Region set changes in one journal record.
   */
  partition?: string;
  /** File operations; default node:fs with fsync. */
  io?: FileIo;
  /** Warnings and notices (a dropped torn record, a migration, a failed compaction); default console.warn. */
  log?: (message: string) => void;
  /** Compact once the journal holds more than this many bytes and more than the snapshot; default 4 MiB. */
  compactAfterBytes?: number;
}

interface Tables {
  keys: Map<string, KeyRecord>;
  aliases: Map<string, AliasRecord>;
}

type Change = { putKey: KeyRecord } | { deleteKey: string } | { putAlias: AliasRecord } | { deleteAlias: string };

interface Entry {
  seq: number;
  changes: Change[];
  line: Buffer;
  resolve(): void;
  reject(e: unknown): void;
}

interface Journal {
  gen: number;
  path: string;
  /** Open once the first append needs it. */
  file: AppendFile | undefined;
  /** Bytes durable in the file. */
  size: number;
}

interface Marker {
  sequence: number;
  generation: number;
}

const TEMP = /^\..+\.\d+\.\d+\.tmp$/;
const GEN = /^[1-9]\d{0,14}$/;
const DEFAULT_COMPACT_AFTER = 4 << 20;
const CHUNK = 1 << 20;
const noop = () => undefined;

/** keystore.us-east-1.json → keystore.us-east-1 (the prefix of its journals). */
function stemOf(path: string): string {
  const b = basename(path);
  return b.endsWith('.json') ? b.slice(0, -5) : b;
}

function encodeChange(c: Change): Json {
  if ('putKey' in c) return { PutKey: keyToJson(c.putKey) };
  if ('deleteKey' in c) return { DeleteKey: c.deleteKey };
  if ('putAlias' in c) return { PutAlias: aliasToJson(c.putAlias) };
  return { DeleteAlias: c.deleteAlias };
}

/** Throws ValidationException (never naming a value) when `v` is not a change. */
function decodeChange(v: unknown): Change {
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

/**
 * Applies changes to tables. With `check`, first refuses (ValidationException) a change that
 * breaks the store's invariants: a record of another region, an alias whose key is not there.
 */
interface Scope {
  region: string | undefined;
  partition: string | undefined;
}

/** Why a record of `region` does not belong in a store of `scope`, if it does not. */
function outOfScope(scope: Scope, region: string): string | undefined {
  if (scope.region !== undefined && region !== scope.region) return `region ${scope.region}`;
  if (scope.partition !== undefined && partitionOf(region) !== scope.partition) return `partition ${scope.partition}`;
  return undefined;
}

function apply(t: Tables, changes: readonly Change[], check: Scope | undefined): void {
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

/**
 * The snapshot's `"migrated": [region, …]` member: the per-Region stores of an older --data
 * layout whose records this store holds (src/server/data-dir.ts); their files are leftovers.
 */
function readMigrated(doc: Json, path: string): string[] {
  const m = doc.migrated;
  if (m === undefined) return [];
  if (!Array.isArray(m) || !m.every((r) => typeof r === 'string' && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(r))) {
    throw new ValidationException(`Cannot load key store ${path}: its "migrated" member must be a list of Regions`);
  }
  return m as string[];
}

function readMarker(doc: Json, path: string): Marker | undefined {
  const j = doc.journal;
  if (j === undefined) return undefined;
  const m = j as Partial<Marker> | null;
  if (typeof m !== 'object' || m === null || !Number.isSafeInteger(m.sequence) || (m.sequence as number) < 0 || !Number.isSafeInteger(m.generation) || (m.generation as number) < 1) {
    throw new ValidationException(`Cannot load key store ${path}: its "journal" member must be {"sequence": integer ≥ 0, "generation": integer ≥ 1}`);
  }
  return { sequence: m.sequence as number, generation: m.generation as number };
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export class FileKeyStore implements KeyStore {
  /** The snapshot file. */
  readonly path: string;
  readonly region: string | undefined;
  readonly partition: string | undefined;
  private readonly dir: string;
  private readonly stem: string;
  private readonly io: FileIo;
  private readonly log: (message: string) => void;
  private readonly compactAfter: number;
  /** The durable state: what reads see. */
  private readonly committed: Tables;
  /** Changes not yet durable (newest value per ARN, undefined = deleted), with the seq that made them. */
  private readonly pendingKeys = new Map<string, { seq: number; value: KeyRecord | undefined }>();
  private readonly pendingAliases = new Map<string, { seq: number; value: AliasRecord | undefined }>();
  private queue: Entry[] = [];
  private writing: Promise<void> | undefined;
  /** Last sequence number handed out, and last one durable. */
  private seq: number;
  private durableSeq: number;
  private journal: Journal;
  /** Journal bytes holding changes newer than the snapshot, and the snapshot's size. */
  private journalBytes: number;
  private snapshotBytes: number;
  private nextCompaction: number;
  private compacting: Promise<void> | undefined;
  private forceCompaction = false;
  private compactionError: Error | undefined;
  private broken: Error | undefined;
  private tmpSeq = 0;
  /** Regions whose per-Region store of an older layout was migrated into this one (kept in the snapshot). */
  private readonly migratedRegions = new Set<string>();
  /** Journal appends (one fsync each) and compactions so far, for tests and diagnostics. */
  writes = 0;
  compactions = 0;

  private constructor(path: string, options: FileKeyStoreOptions, state: Tables, seq: number, journal: Journal, journalBytes: number, snapshotBytes: number) {
    this.path = path;
    this.region = options.region;
    this.partition = options.partition;
    this.dir = dirname(path);
    this.stem = stemOf(path);
    this.io = options.io ?? nodeFileIo;
    this.log = options.log ?? ((m) => console.warn(`kms-core: ${m}`));
    this.compactAfter = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER;
    this.committed = state;
    this.seq = this.durableSeq = seq;
    this.journal = journal;
    this.journalBytes = journalBytes;
    this.snapshotBytes = snapshotBytes;
    this.nextCompaction = Math.max(this.compactAfter, snapshotBytes);
  }

  /** util.inspect and JSON.stringify show a summary, never records or material (issue 12.5). */
  toJSON(): { path: string; keys: number; aliases: number } {
    return { path: this.path, keys: this.committed.keys.size, aliases: this.committed.aliases.size };
  }

  [INSPECT](): string {
    return summary('FileKeyStore', this.toJSON());
  }

  /**
   * Opens (or starts) the store whose snapshot is `path`: loads the snapshot and replays the
   * journals beside it. A missing snapshot is an empty store. Damage is refused with a
   * ValidationException naming the file (and the byte offset in a journal); a torn last record
   * is dropped. Leftover temp files of an interrupted write are removed: the caller must be the
   * only writer of the directory.
   */
  static async open(path: string, options: FileKeyStoreOptions = {}): Promise<FileKeyStore> {
    const io = options.io ?? nodeFileIo;
    const log = options.log ?? ((m: string) => console.warn(`kms-core: ${m}`));
    const dir = dirname(path);
    const stem = stemOf(path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const files = await readdir(dir);
    for (const f of files) {
      if (f.startsWith(`.${stem}.`) && TEMP.test(f)) await unlink(join(dir, f)).catch(noop);
    }
    const jprefix = `${stem}.journal.`;
    const gens = files
      .filter((f) => f.startsWith(jprefix) && GEN.test(f.slice(jprefix.length)))
      .map((f) => Number(f.slice(jprefix.length)))
      .sort((a, b) => a - b);

    const state: Tables = { keys: new Map(), aliases: new Map() };
    const where = (f: string) => `Cannot load key store ${f}`;
    const text = await readOptional(path);
    let marker: Marker | undefined;
    let migrated: string[] = [];
    if (text !== undefined) {
      let doc: unknown;
      try {
        doc = JSON.parse(text.toString('utf8'));
      } catch {
        throw new ValidationException(`${where(path)}: Invalid key-store snapshot: not JSON`);
      }
      let parsed;
      try {
        parsed = fromSnapshot(doc);
      } catch (e) {
        throw new ValidationException(`${where(path)}: ${(e as Error).message}`);
      }
      marker = readMarker(doc as Json, path);
      migrated = readMigrated(doc as Json, path);
      try {
        apply(state, [...parsed.keys.map((k) => ({ putKey: k })), ...parsed.aliases.map((a) => ({ putAlias: a }))], { region: options.region, partition: options.partition });
      } catch (e) {
        throw new ValidationException(`${where(path)}: ${(e as Error).message}`);
      }
      if (!marker && gens.length) {
        throw new ValidationException(
          `${where(path)}: it has no "journal" member, yet journal files (${gens.map((g) => jprefix + g).join(', ')}) sit beside it: the snapshot was rewritten by an older kms-core, or restored from a backup, after this version journaled changes. Remove the journal files to serve the snapshot as it is, or restore the snapshot that goes with them.`,
        );
      }
    }
    const base = marker ?? { sequence: 0, generation: 1 };

    let seq = base.sequence;
    let journalBytes = 0;
    let newestSize = 0;
    let tail: { gen: number; offset: number } | undefined;
    const live = gens.filter((g) => g >= base.generation);
    for (const [i, gen] of live.entries()) {
      const file = join(dir, jprefix + gen);
      const newest = i === live.length - 1;
      const buf = await readFile(file);
      const s = scan(buf);
      if (!s.ok) {
        throw new ValidationException(
          `${where(file)}: corrupt journal record at byte offset ${s.offset} (${s.reason}); ${s.intactAfter} intact record(s) follow it, so the file was damaged after it was written (an interrupted write only ever damages the last record). kms-core stops rather than lose or reorder changes: restore the file from a backup, or cut it at byte ${s.offset} to drop this record and every later one.`,
        );
      }
      const [head, ...records] = s.lines;
      const h = head?.value as Json | undefined;
      if (!head || h?.format !== JOURNAL_FORMAT) throw new ValidationException(`${where(file)}: not a kms-core journal (no header record at byte offset 0)`);
      if (h.version !== JOURNAL_VERSION) {
        const v = typeof h.version === 'number' && Number.isFinite(h.version) ? String(h.version) : `of type ${typeof h.version}`;
        throw new ValidationException(`${where(file)}: unsupported journal version ${v}; this kms-core reads version ${JOURNAL_VERSION}`);
      }
      let prev = -1;
      for (const r of records) {
        const bad = (why: string): never => {
          throw new ValidationException(`${where(file)}: journal record at byte offset ${r.offset} ${why}`);
        };
        const o = r.value as Json;
        if (typeof o !== 'object' || o === null || !Number.isSafeInteger(o.Seq) || !Array.isArray(o.Changes)) bad('must be {"Seq": integer, "Changes": [...]}');
        const n = o.Seq as number;
        if (n <= prev) bad(`has sequence number ${n}, not above the one before it (${prev})`);
        prev = n;
        if (n <= seq) continue; // already in the snapshot (a compaction finished after this journal was written)
        if (n !== seq + 1) bad(`has sequence number ${n}, but ${seq + 1} comes next: records are missing`);
        try {
          apply(state, (o.Changes as unknown[]).map(decodeChange), { region: options.region, partition: options.partition });
        } catch (e) {
          bad(`is invalid: ${(e as Error).message}`);
        }
        seq = n;
      }
      newestSize = s.tail ? s.tail.offset : buf.length;
      journalBytes += newestSize;
      if (s.tail) {
        if (!newest) {
          throw new ValidationException(`${where(file)}: corrupt journal record at byte offset ${s.tail.offset} (${s.tail.reason}) at the end of a journal that a newer one follows: the file was damaged after it was written.`);
        }
        log(`${file}: dropped the damaged last record at byte offset ${s.tail.offset} (${s.tail.length} bytes, ${s.tail.reason}): a change interrupted before it was durable (its call never returned)`);
        tail = { gen, offset: s.tail.offset };
      }
    }

    const gen = live.length ? (live[live.length - 1] as number) : base.generation;
    // Only the newest journal is appended to (after the cut of a torn tail).
    const journal: Journal = { gen, path: join(dir, jprefix + gen), file: undefined, size: newestSize };
    const store = new FileKeyStore(path, { ...options, io, log }, state, seq, journal, journalBytes, text?.length ?? 0);
    for (const r of migrated) store.migratedRegions.add(r);
    if (tail) {
      const f = await io.openAppend(journal.path);
      try {
        await f.truncate(tail.offset);
        await f.sync();
      } catch (e) {
        await f.close().catch(noop);
        throw e;
      }
      journal.file = f;
    }
    if (text !== undefined && !marker) {
      // Migration: a store of kms-core ≤ 0.1 (no journal). Marking it makes the layout explicit.
      await store.writeSnapshot(state, 0, 1);
      log(`${path}: migrated a key store without a journal (kms-core ≤ 0.1) to the journaled layout; its keys load unchanged`);
    }
    for (const g of gens) if (g < base.generation) await io.unlink(join(dir, jprefix + g)).catch(noop);
    return store;
  }

  // ───────────────────────────── reads: committed state only ─────────────────────────────

  /** The Regions that hold keys or aliases in this store. */
  regions(): string[] {
    const out = new Set<string>();
    for (const r of this.committed.keys.values()) out.add(r.region);
    for (const a of this.committed.aliases.values()) out.add(a.region);
    return [...out].sort();
  }

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
    /* Precondition: key IDs are unique within an account and region. */
    if (this.latestKey(record.arn)) throw new Error(`kms-core: duplicate key ${record.arn}`);
    await this.commit([{ putKey: record }]);
  }

  async updateKey(arn: string, mutate: (record: KeyRecord) => void): Promise<KeyRecord | undefined> {
    const r = this.latestKey(arn);
    if (!r) {
      await this.flush();
      return undefined;
    }
    const c = structuredClone(r);
    mutate(c);
    const [stored] = await this.commit([{ putKey: c }]);
    return (stored as { putKey: KeyRecord }).putKey;
  }

  /**
   * Several keys changed (created, updated, deleted) as one journal record: on replay the record
   * is applied whole or, torn, not at all (a multi-Region set: KeyStore.updateKeys).
   */
  async updateKeys(arns: readonly string[], mutate: (records: (KeyRecord | undefined)[]) => void): Promise<(KeyRecord | undefined)[]> {
    /* Precondition: each key is named once. */
    if (new Set(arns).size !== arns.length) throw new Error('kms-core: updateKeys names a key twice');
    const before = arns.map((a) => this.latestKey(a));
    const records = before.map((r) => r && structuredClone(r));
    mutate(records);
    const changes: Change[] = [];
    arns.forEach((arn, i) => {
      const r = records[i];
      /* Precondition: mutate never changes which key a record is. */
      if (r && r.arn !== arn) throw new Error('kms-core: updateKeys must not change a key ARN');
      if (r) changes.push({ putKey: r });
      else if (before[i]) changes.push({ deleteKey: arn }, ...this.aliasesOf(before[i] as KeyRecord));
    });
    if (changes.length === 0) {
      await this.flush();
      return records;
    }
    const stored = await this.commit(changes);
    const put = new Map<string, KeyRecord>();
    for (const c of stored) if ('putKey' in c) put.set(c.putKey.arn, c.putKey);
    return arns.map((a) => put.get(a));
  }

  /** Deletes a key and, in the same record, every alias that targets it. */
  async deleteKey(arn: string): Promise<void> {
    const r = this.latestKey(arn);
    if (!r) return this.flush();
    await this.commit([{ deleteKey: arn }, ...this.aliasesOf(r)]);
  }

  /** The deletions of the aliases that target `r`. */
  private aliasesOf(r: KeyRecord): Change[] {
    const changes: Change[] = [];
    for (const aArn of new Set([...this.committed.aliases.keys(), ...this.pendingAliases.keys()])) {
      const a = this.latestAlias(aArn);
      if (a && a.region === r.region && a.accountId === r.accountId && a.targetKeyId === r.keyId) changes.push({ deleteAlias: aArn });
    }
    return changes;
  }

  async putAlias(alias: AliasRecord): Promise<void> {
    await this.commit([{ putAlias: alias }]);
  }

  async createAlias(alias: AliasRecord): Promise<boolean> {
    if (this.latestAlias(alias.aliasArn)) {
      await this.flush();
      return false;
    }
    await this.commit([{ putAlias: alias }]);
    return true;
  }

  async deleteAlias(aliasArn: string): Promise<void> {
    if (!this.latestAlias(aliasArn)) return this.flush();
    await this.commit([{ deleteAlias: aliasArn }]);
  }

  /**
   * Compacts now: starts a new journal generation, writes the snapshot of everything durable
   * so far and removes the older journals (what happens by itself once the journal outgrows
   * the snapshot). Changes go on meanwhile. Rejects when the compaction failed; the journals
   * then still hold every change.
   */
  async compact(): Promise<void> {
    for (;;) {
      await this.flush();
      if (this.compacting) {
        await this.compacting;
        continue;
      }
      if (this.broken) throw this.broken;
      this.forceCompaction = true;
      this.writing ??= this.writeLoop();
      await this.flush();
      const running = this.compacting as Promise<void> | undefined;
      if (!running) throw this.compactionError ?? new Error('kms-core: the compaction did not start');
      await running;
      if (this.compactionError) throw this.compactionError;
      return;
    }
  }

  /** Resolves once every change made so far is durable (or has failed). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Waits for every write and a compaction in flight, then closes the journal. */
  async close(): Promise<void> {
    await this.flush();
    while (this.compacting) await this.compacting;
    await this.flush();
    const f = this.journal.file;
    this.journal.file = undefined;
    this.broken ??= new Error('kms-core: the key store is closed');
    await f?.close();
  }

  /** The Regions whose per-Region stores (older --data layout) this store absorbed. */
  migrated(): string[] {
    return [...this.migratedRegions].sort();
  }

  /**
   * Records that the per-Region stores of `regions` are in this store now, durably: compacts, so
   * the snapshot names them (src/server/data-dir.ts removes their files only after that).
   */
  async markMigrated(regions: readonly string[]): Promise<void> {
    for (const r of regions) this.migratedRegions.add(r);
    await this.compact();
  }

  /** The committed store as a snapshot, with the usage its Kms instances recorded (keys/usage.ts). */
  exportSnapshot() {
    const usage = existingUsageLog(this);
    return toSnapshot([...this.committed.keys.values()].map((r) => withUsage(r, usage)), [...this.committed.aliases.values()]);
  }

  // ───────────────────────────── the journal ─────────────────────────────

  private latestKey(arn: string): KeyRecord | undefined {
    const p = this.pendingKeys.get(arn);
    return p ? p.value : this.committed.keys.get(arn);
  }

  private latestAlias(arn: string): AliasRecord | undefined {
    const p = this.pendingAliases.get(arn);
    return p ? p.value : this.committed.aliases.get(arn);
  }

  /**
   * Frames `changes` as the next record, makes them the newest state and waits until the record
   * is durable. Resolves with the changes as a reader of the journal decodes them (what the
   * store then holds), so a record's in-memory form is always the one a restart loads.
   */
  private commit(changes: Change[]): Promise<Change[]> {
    if (this.broken) return Promise.reject(this.broken);
    const seq = this.seq + 1;
    const json = JSON.stringify({ Seq: seq, Changes: changes.map(encodeChange) });
    /* Precondition: never write a record the reader would refuse (it is decoded back from its own text). */
    const stored = (JSON.parse(json) as { Changes: unknown[] }).Changes.map(decodeChange);
    for (const c of stored) {
      const region = 'putKey' in c ? c.putKey.region : 'putAlias' in c ? c.putAlias.region : undefined;
      /* Precondition: a region's store holds only that region's records. */
      if (this.region !== undefined && region !== undefined && region !== this.region) throw new Error(`kms-core: a record of region ${region} in the store of ${this.region}`);
      /* Precondition: a partition's store holds only records of its Regions. */
      if (this.partition !== undefined && region !== undefined && partitionOf(region) !== this.partition) throw new Error(`kms-core: a record of region ${region} in the store of partition ${this.partition}`);
      /* Precondition: an alias targets a key of the store (a snapshot never holds a dangling alias). */
      if ('putAlias' in c && !this.latestKey(keyArn(c.putAlias.region, c.putAlias.accountId, c.putAlias.targetKeyId))) {
        throw new Error(`kms-core: alias ${c.putAlias.aliasArn} targets a key that is not in the store`);
      }
    }
    const line = frameJson(json);
    this.seq = seq;
    for (const c of stored) {
      if ('putKey' in c) this.pendingKeys.set(c.putKey.arn, { seq, value: c.putKey });
      else if ('deleteKey' in c) this.pendingKeys.set(c.deleteKey, { seq, value: undefined });
      else if ('putAlias' in c) this.pendingAliases.set(c.putAlias.aliasArn, { seq, value: c.putAlias });
      else this.pendingAliases.set(c.deleteAlias, { seq, value: undefined });
    }
    return new Promise<Change[]>((resolve, reject) => {
      this.queue.push({ seq, changes: stored, line, resolve: () => resolve(stored), reject });
      this.writing ??= this.writeLoop();
    });
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.queue.length || this.forceCompaction) {
        if (this.queue.length === 0) {
          await this.maybeCompact();
          continue;
        }
        const batch = this.queue;
        this.queue = [];
        try {
          await this.append(Buffer.concat(batch.map((e) => e.line)));
        } catch (e) {
          // Nothing of this batch is durable, nor what was built on top of it.
          const later = this.queue;
          this.queue = [];
          this.pendingKeys.clear();
          this.pendingAliases.clear();
          this.seq = this.durableSeq;
          for (const w of [...batch, ...later]) w.reject(e);
          continue;
        }
        for (const e of batch) apply(this.committed, e.changes, undefined);
        this.durableSeq = (batch[batch.length - 1] as Entry).seq;
        for (const [k, p] of this.pendingKeys) if (p.seq <= this.durableSeq) this.pendingKeys.delete(k);
        for (const [k, p] of this.pendingAliases) if (p.seq <= this.durableSeq) this.pendingAliases.delete(k);
        this.writes++;
        for (const e of batch) e.resolve();
        await this.maybeCompact();
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** Appends and fdatasyncs; on failure cuts the journal back to its last durable byte. */
  private async append(data: Buffer): Promise<void> {
    if (this.broken) throw this.broken;
    const j = this.journal;
    j.file ??= await this.openJournal(j);
    const file = j.file;
    try {
      await file.append(data);
      await file.sync();
    } catch (e) {
      try {
        await file.truncate(j.size);
        await file.sync();
      } catch {
        this.broken = new Error(`kms-core: the journal ${j.path} could not be cut back after a failed write; restart to recover`);
      }
      throw e;
    }
    j.size += data.length;
    this.journalBytes += data.length;
  }

  /** Opens the journal for appending, creating it (with its header, atomically) when new. */
  private async openJournal(j: Journal): Promise<AppendFile> {
    if (j.size === 0) {
      const tmp = this.tempPath(basename(j.path));
      try {
        await this.io.writeSynced(tmp, header().toString('utf8'));
        await this.io.rename(tmp, j.path);
      } catch (e) {
        await this.io.unlink(tmp).catch(noop);
        throw e;
      }
      await this.io.syncDir(this.dir);
      j.size = header().length;
      this.journalBytes += j.size;
    }
    return this.io.openAppend(j.path);
  }

  private tempPath(name: string): string {
    return join(this.dir, `.${name}.${process.pid}.${++this.tmpSeq}.tmp`);
  }

  /** Called between appends: once the journal is big enough, starts a new generation and a snapshot. */
  private async maybeCompact(): Promise<void> {
    const forced = this.forceCompaction;
    this.forceCompaction = false;
    if (this.compacting || this.broken || (!forced && this.journalBytes <= this.nextCompaction)) return;
    this.compactionError = undefined;
    const next: Journal = { gen: this.journal.gen + 1, path: join(this.dir, `${this.stem}.journal.${this.journal.gen + 1}`), file: undefined, size: 0 };
    const journalBytes = this.journalBytes;
    this.journalBytes = 0;
    try {
      next.file = await this.openJournal(next);
    } catch (e) {
      this.journalBytes += journalBytes;
      this.nextCompaction = Math.max(this.compactAfter, this.journalBytes * 2);
      this.compactionError = e as Error;
      this.log(`${this.path}: compaction postponed: cannot start journal ${next.path}: ${(e as Error).message}`);
      return;
    }
    const old = this.journal;
    this.journal = next;
    await old.file?.close().catch(noop);
    // Records are never changed in place, so copies of the maps are a consistent view at durableSeq.
    const view: Tables = { keys: new Map(this.committed.keys), aliases: new Map(this.committed.aliases) };
    const seq = this.durableSeq;
    this.compacting = this.runCompaction(view, seq, next.gen, old.gen, journalBytes).finally(() => (this.compacting = undefined));
  }

  private async runCompaction(view: Tables, seq: number, gen: number, upTo: number, olderBytes: number): Promise<void> {
    try {
      this.snapshotBytes = await this.writeSnapshot(view, seq, gen);
    } catch (e) {
      // The older journals stay: their bytes still count towards the next compaction, which waits for twice as many.
      this.journalBytes += olderBytes;
      this.nextCompaction = Math.max(this.compactAfter, this.journalBytes * 2);
      this.compactionError = e as Error;
      this.log(`${this.path}: compaction failed (the journal keeps every change; retried later): ${(e as Error).message}`);
      return;
    }
    for (let g = upTo; g >= 1; g--) {
      try {
        await this.io.unlink(join(this.dir, `${this.stem}.journal.${g}`));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
      }
    }
    this.compactions++;
    this.nextCompaction = Math.max(this.compactAfter, this.snapshotBytes);
  }

  /** Writes the snapshot of `t` as of change `seq` atomically; returns its size in bytes. */
  private async writeSnapshot(t: Tables, seq: number, gen: number): Promise<number> {
    let bytes = 0;
    const migrated = this.migrated();
    const head = JSON.stringify({ format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, journal: { sequence: seq, generation: gen }, ...(migrated.length ? { migrated } : {}) });
    async function* chunks(): AsyncGenerator<string> {
      let buf = `${head.slice(0, -1)},"keys":[`;
      let i = 0;
      for (const r of t.keys.values()) {
        buf += (i ? ',' : '') + JSON.stringify(keyToJson(r));
        if (++i % 256 === 0) {
          if (buf.length >= CHUNK) {
            bytes += Buffer.byteLength(buf);
            yield buf;
            buf = '';
          }
          // Serializing 10^5 keys takes a while: let requests run in between.
          await new Promise((r) => setImmediate(r));
        }
      }
      buf += '],"aliases":[';
      i = 0;
      for (const a of t.aliases.values()) buf += (i++ ? ',' : '') + JSON.stringify(aliasToJson(a));
      buf += ']}';
      bytes += Buffer.byteLength(buf);
      yield buf;
    }
    const tmp = this.tempPath(basename(this.path));
    try {
      await this.io.writeSynced(tmp, chunks());
      await this.io.rename(tmp, this.path);
    } catch (e) {
      await this.io.unlink(tmp).catch(noop);
      throw e;
    }
    await this.io.syncDir(this.dir);
    return bytes;
  }
}
