/**
 * FileKeyStore: a KeyStore kept in a snapshot file and a journal beside it, durably. Node only.
 *
 *   keystore.us-east-1.json          the snapshot: a key-store snapshot (keys/snapshot.ts) with a
 *                                    "journal": {"sequence": N, "generation": G} member, so it
 *                                    still loads with InMemoryKeyStore.fromSnapshot (as of change N)
 *   keystore.us-east-1.journal.G     changes N+1, N+2, … (journal.ts: one checksummed line each)
 *
 * This file is the KeyStore API (reads of the durable state; writes that return once durable)
 * and `open`. The parts, each in the file named after it:
 *   file-store-journaling.ts  the write path: group commit, fsync, cut back on failure, compaction
 *   file-store-changes.ts     the changes a journal record carries, their codec, applying them
 *   file-store-load.ts        the store's file names; loading the snapshot and replaying journals
 *   file-store-snapshot.ts    the snapshot's own members, and writing it as a stream
 *   file-store-io.ts          the injectable file operations; atomic replacement of a file
 *   journal.ts                the journal's line format (checksums, torn-tail detection)
 *
 * Loading: the snapshot, then every journal in generation order. A torn or corrupt last record
 * (an interrupted append) is dropped with a warning and cut off; damage anywhere else stops the
 * load with a ValidationException naming the file and byte offset. A snapshot without the
 * "journal" member is a store written by kms-core ≤ 0.1 (one rewritten snapshot per change): it
 * loads unchanged and is marked at first open (migration); from then on changes go to the journal.
 */
import { dirname } from 'node:path';
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import type { KeyStore } from '../keys/store.js';
import { INSPECT, summary } from '../keys/redact.js';
import type { Change } from './file-store-changes.js';
import { nodeFileIo, noop } from './file-store-io.js';
import { JournaledTables, type FileKeyStoreOptions } from './file-store-journaling.js';
import { journalPath, loadStoreFiles, stemOf } from './file-store-load.js';
import { checkDistinctKeys, checkSameKey, duplicateKey, snapshotWithUsage, warn } from './store-invariants.js';

export { nodeFileIo, type AppendFile, type FileIo } from './file-store-io.js';
export type { FileKeyStoreOptions } from './file-store-journaling.js';

export class FileKeyStore extends JournaledTables implements KeyStore {
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
    const log = options.log ?? warn;
    const loaded = await loadStoreFiles(path, { region: options.region, partition: options.partition }, log);
    const { journal } = loaded;
    const store = new FileKeyStore(path, { ...options, io, log }, loaded);
    for (const r of loaded.migrated) store.migratedRegions.add(r);
    if (loaded.tail !== undefined) {
      const f = await io.openAppend(journal.path);
      try {
        await f.truncate(loaded.tail);
        await f.sync();
      } catch (e) {
        await f.close().catch(noop);
        throw e;
      }
      journal.file = f;
    }
    if (loaded.unmarked) {
      // Migration: a store of kms-core ≤ 0.1 (no journal). Marking it makes the layout explicit.
      await store.writeSnapshot(loaded.state, 0, 1);
      log(`${path}: migrated a key store without a journal (kms-core ≤ 0.1) to the journaled layout; its keys load unchanged`);
    }
    for (const g of loaded.stale) await io.unlink(journalPath(dirname(path), stemOf(path), g)).catch(noop);
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
    if (this.latestKey(record.arn)) throw duplicateKey(record.arn);
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
    checkDistinctKeys(arns);
    const before = arns.map((a) => this.latestKey(a));
    const records = before.map((r) => r && structuredClone(r));
    mutate(records);
    const changes: Change[] = [];
    arns.forEach((arn, i) => {
      const r = records[i];
      checkSameKey(r, arn);
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

  // ───────────────────────────── whole-store operations ─────────────────────────────

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
    return snapshotWithUsage(this, [...this.committed.keys.values()], [...this.committed.aliases.values()]);
  }
}
