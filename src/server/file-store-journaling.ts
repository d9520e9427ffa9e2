/**
 * The write path of a FileKeyStore (file-store.ts): its tables, the journal that makes a change
 * durable before the call returns, and compaction. Node only. FileKeyStore is the KeyStore API
 * over this class; loading is file-store-load.ts, the snapshot file file-store-snapshot.ts.
 *
 * Durability: a call that creates or changes a key or alias appends one record holding the
 * change (the whole record after it, in its snapshot form) to the journal and returns only once
 * it is fsynced. Calls made while an append is in flight share the next one (group commit), so
 * a burst costs one fsync per batch, and a change costs the same at 10^2 keys as at 10^5.
 *
 * Readers see durable state only (`committed`): a change becomes visible once its record is on
 * disk, so no ciphertext a caller holds ever depends on material the disk lacks. Changes apply
 * in call order on top of the newest (possibly not yet durable) state (`latestKey`), so
 * concurrent updates never lose one another. A failed append rejects every call in its batch
 * and those queued behind it, the journal is cut back to its last durable record, and the store
 * goes on.
 *
 * Compaction: once the journal outgrows both `compactAfterBytes` and the snapshot, appends move
 * to a new journal generation and the snapshot of the state so far is written in the background
 * (temp file, fsync, rename, directory fsync: atomic as before); then the older journals are
 * removed. Replaying is idempotent and records at or below the snapshot's sequence are skipped,
 * so a crash at any step of a compaction loads.
 */
import { basename, dirname, join } from 'node:path';
import { keyArn, partitionOf } from '../keys/arn.js';
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import { apply, decodeChange, encodeChange, type Change, type Tables } from './file-store-changes.js';
import { nodeFileIo, noop, replaceFile, type AppendFile, type FileIo } from './file-store-io.js';
import { journalPath, stemOf, tempName, type Journal, type Loaded } from './file-store-load.js';
import { writeSnapshotFile } from './file-store-snapshot.js';
import { frameJson, header } from './journal.js';
import { warn } from './store-invariants.js';

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

/** A record waiting for its append: its changes, its framed line, and its caller. */
interface Entry {
  seq: number;
  changes: Change[];
  line: Buffer;
  resolve(): void;
  reject(e: unknown): void;
}

const DEFAULT_COMPACT_AFTER = 4 << 20;

export abstract class JournaledTables {
  /** The snapshot file. */
  readonly path: string;
  readonly region: string | undefined;
  readonly partition: string | undefined;
  private readonly dir: string;
  private readonly stem: string;
  private readonly io: FileIo;
  protected readonly log: (message: string) => void;
  private readonly compactAfter: number;
  /** The durable state: what reads see. */
  protected readonly committed: Tables;
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
  protected readonly migratedRegions = new Set<string>();
  /** Journal appends (one fsync each) and compactions so far, for tests and diagnostics. */
  writes = 0;
  compactions = 0;

  protected constructor(path: string, options: FileKeyStoreOptions, loaded: Pick<Loaded, 'state' | 'seq' | 'journal' | 'journalBytes' | 'snapshotBytes'>) {
    this.path = path;
    this.region = options.region;
    this.partition = options.partition;
    this.dir = dirname(path);
    this.stem = stemOf(path);
    this.io = options.io ?? nodeFileIo;
    this.log = options.log ?? warn;
    this.compactAfter = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER;
    this.committed = loaded.state;
    this.seq = this.durableSeq = loaded.seq;
    this.journal = loaded.journal;
    this.journalBytes = loaded.journalBytes;
    this.snapshotBytes = loaded.snapshotBytes;
    this.nextCompaction = Math.max(this.compactAfter, loaded.snapshotBytes);
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

  // ───────────────────────────── the newest state ─────────────────────────────

  protected latestKey(arn: string): KeyRecord | undefined {
    const p = this.pendingKeys.get(arn);
    return p ? p.value : this.committed.keys.get(arn);
  }

  protected latestAlias(arn: string): AliasRecord | undefined {
    const p = this.pendingAliases.get(arn);
    return p ? p.value : this.committed.aliases.get(arn);
  }

  /** The deletions of the aliases that target `r`. */
  protected aliasesOf(r: KeyRecord): Change[] {
    const changes: Change[] = [];
    for (const aArn of new Set([...this.committed.aliases.keys(), ...this.pendingAliases.keys()])) {
      const a = this.latestAlias(aArn);
      if (a && a.region === r.region && a.accountId === r.accountId && a.targetKeyId === r.keyId) changes.push({ deleteAlias: aArn });
    }
    return changes;
  }

  // ───────────────────────────── the journal ─────────────────────────────

  /**
   * Frames `changes` as the next record, makes them the newest state and waits until the record
   * is durable. Resolves with the changes as a reader of the journal decodes them (what the
   * store then holds), so a record's in-memory form is always the one a restart loads.
   */
  protected commit(changes: Change[]): Promise<Change[]> {
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
      await replaceFile(this.io, this.dir, this.tempPath(basename(j.path)), j.path, header().toString('utf8'));
      j.size = header().length;
      this.journalBytes += j.size;
    }
    return this.io.openAppend(j.path);
  }

  private tempPath(name: string): string {
    return join(this.dir, tempName(name, ++this.tmpSeq));
  }

  // ───────────────────────────── compaction ─────────────────────────────

  /** Called between appends: once the journal is big enough, starts a new generation and a snapshot. */
  private async maybeCompact(): Promise<void> {
    const forced = this.forceCompaction;
    this.forceCompaction = false;
    if (this.compacting || this.broken || (!forced && this.journalBytes <= this.nextCompaction)) return;
    this.compactionError = undefined;
    const next: Journal = { gen: this.journal.gen + 1, path: journalPath(this.dir, this.stem, this.journal.gen + 1), file: undefined, size: 0 };
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
        await this.io.unlink(journalPath(this.dir, this.stem, g));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
      }
    }
    this.compactions++;
    this.nextCompaction = Math.max(this.compactAfter, this.snapshotBytes);
  }

  /** Writes the snapshot of `t` as of change `seq` atomically; returns its size in bytes. */
  protected async writeSnapshot(t: Tables, seq: number, gen: number): Promise<number> {
    const migrated = this.migrated();
    return await writeSnapshotFile(this.io, this.dir, this.tempPath(basename(this.path)), this.path, t, seq, gen, migrated);
  }
}
