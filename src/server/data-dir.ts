/**
 * The --data directory: one FileKeyStore per partition (`keystore.aws.json`, a key-store
 * snapshot, and its journals `keystore.aws.journal.<n>`; `keystore.aws-cn.*`,
 * `keystore.aws-us-gov.*`), guarded by a lock file so that two servers never write the same
 * directory. Node only.
 *
 * One store holds every Region of its partition because a multi-Region key set spans Regions
 * (src/keys/multi-region.ts): its changes (a replica, a rotation copied to every replica, a new
 * primary) are one journal record, applied whole or not at all.
 *
 * Migration. Directories written before this layout hold one store per Region
 * (`keystore.<region>.json`, `keystore.<region>.journal.<n>`). At open, each is loaded as it
 * always was, its keys and aliases are added to its partition's store, and that store is
 * compacted with `"migrated": [<region>, …]` in its snapshot; only then are the Region's files
 * removed. A crash at any step leaves a directory that opens: before the compaction the Region
 * files are intact and are migrated again (records already there, and equal, are skipped);
 * after it, the snapshot names the Region, and its leftover files are removed unread.
 */
import { mkdir, open, readFile, readdir, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ValidationException } from '../errors.js';
import { isRegionName } from '../keys/region.js';
import { partitionOf } from '../keys/arn.js';
import { FileKeyStore, nodeFileIo, type FileIo, type FileKeyStoreOptions } from './file-store.js';
import { aliasToJson, keyToJson } from './record-json.js';

/** The partitions of src/keys/arn.ts partitionOf. */
export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
const STORE_FILE = /^keystore\.([a-z0-9-]+)\.(?:json|journal\.[1-9]\d{0,14})$/;
export const LOCK_FILE = '.kms-core.lock';

export function storeFile(dir: string, region: string): string {
  /* Precondition: a region is never a path (and names a file of bounded length). */
  if (!isRegionName(region)) throw new ValidationException(`Invalid region '${String(region).slice(0, 64)}'`);
  return partitionFile(dir, partitionOf(region));
}

function partitionFile(dir: string, partition: string): string {
  return join(dir, `keystore.${partition}.json`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Options of every partition's store (its scope is the data directory's to set). */
export type DataDirOptions = Omit<FileKeyStoreOptions, 'region' | 'partition' | 'io'>;

export class DataDir {
  readonly dir: string;
  private readonly stores = new Map<string, Promise<FileKeyStore>>();
  private readonly io: FileIo;
  private readonly options: DataDirOptions;
  private closed = false;

  private constructor(dir: string, io: FileIo, options: DataDirOptions) {
    this.dir = dir;
    this.io = io;
    this.options = options;
  }

  /**
   * Creates the directory if needed, takes its lock (a lock left by a process that no longer
   * runs, e.g. one killed with SIGKILL, is taken over), migrates per-Region stores of the older
   * layout and loads every partition's store, so a damaged file is reported at startup rather
   * than at the first request.
   */
  static async open(dir: string, io: FileIo = nodeFileIo, options: DataDirOptions = {}): Promise<DataDir> {
    const abs = resolve(dir);
    await mkdir(abs, { recursive: true, mode: 0o700 });
    await lock(abs);
    const d = new DataDir(abs, io, options);
    try {
      const partitions = new Set<string>();
      const regions = new Set<string>();
      for (const f of (await readdir(abs)).sort()) {
        const m = STORE_FILE.exec(f);
        const name = m?.[1] as string;
        if (!m) continue;
        if ((PARTITIONS as readonly string[]).includes(name)) partitions.add(name);
        else if (isRegionName(name)) regions.add(name);
      }
      for (const r of regions) partitions.add(partitionOf(r));
      for (const p of [...partitions].sort()) {
        const store = await d.partition(p);
        const old = [...regions].filter((r) => partitionOf(r) === p);
        if (old.length) await d.migrate(store, old);
      }
    } catch (e) {
      await d.close();
      throw e;
    }
    return d;
  }

  /** The store of the partition of `region`, opened on first use. */
  store(region: string): Promise<FileKeyStore> {
    return Promise.resolve().then(() => {
      /* Precondition: a region is never a path (and names a file of bounded length). */
      if (!isRegionName(region)) throw new ValidationException(`Invalid region '${String(region).slice(0, 64)}'`);
      return this.partition(partitionOf(region));
    });
  }

  private partition(partition: string): Promise<FileKeyStore> {
    let s = this.stores.get(partition);
    if (!s) {
      s = Promise.resolve().then(() => FileKeyStore.open(partitionFile(this.dir, partition), { ...this.options, partition, io: this.io }));
      this.stores.set(partition, s);
      // A failed open is not cached: the next request tries again.
      s.catch(() => this.stores.delete(partition));
    }
    return s;
  }

  /** The partitions whose stores are open. */
  partitions(): string[] {
    return [...this.stores.keys()].sort();
  }

  /** The Regions that hold keys or aliases in the directory's stores. */
  async regions(): Promise<string[]> {
    const out = new Set<string>();
    for (const s of this.stores.values()) for (const r of (await s).regions()) out.add(r);
    return [...out].sort();
  }

  /** Moves the per-Region stores of `regions` (older layout) into `store`, their partition's. */
  private async migrate(store: FileKeyStore, regions: readonly string[]): Promise<void> {
    const log = this.options.log ?? ((m: string) => console.warn(`kms-core: ${m}`));
    const done = new Set(store.migrated());
    const pending = regions.filter((r) => !done.has(r));
    for (const region of pending) {
      const file = join(this.dir, `keystore.${region}.json`);
      const old = await FileKeyStore.open(file, { ...this.options, region, io: this.io });
      try {
        const snap = old.exportSnapshot();
        const conflict = (what: string) =>
          new ValidationException(
            `Cannot migrate ${file} into ${store.path}: ${what} is in both, with different contents (the per-Region files were restored after the migration?). Move one of them away.`,
          );
        await Promise.all(
          snap.keys.map(async (json) => {
            const arn = json.Arn as string;
            const there = store.getKey(arn);
            if (there) {
              if (JSON.stringify(keyToJson(there)) !== JSON.stringify(json)) throw conflict(`key ${arn}`);
              return;
            }
            const rec = old.getKey(arn);
            if (rec) await store.createKey(rec);
          }),
        );
        for (const json of snap.aliases) {
          const arn = json.AliasArn as string;
          const there = store.getAlias(arn);
          if (there) {
            if (JSON.stringify(aliasToJson(there)) !== JSON.stringify(json)) throw conflict(`alias ${arn}`);
            continue;
          }
          const alias = old.getAlias(arn);
          if (alias) await store.createAlias(alias);
        }
      } finally {
        await old.close();
      }
    }
    if (pending.length) await store.markMigrated(pending);
    // The snapshot now names every migrated Region: their files are leftovers.
    const leftovers = (await readdir(this.dir)).filter((f) => {
      const m = STORE_FILE.exec(f);
      return m !== null && regions.includes(m[1] as string);
    });
    // Journals first, the snapshot last: an interruption never leaves a journal without its snapshot.
    leftovers.sort((a, b) => Number(a.endsWith('.json')) - Number(b.endsWith('.json')) || (a < b ? 1 : -1));
    for (const f of leftovers) await this.io.unlink(join(this.dir, f));
    await this.io.syncDir(this.dir);
    if (pending.length) log(`${this.dir}: migrated the per-Region stores of ${pending.join(', ')} into ${store.path} (one store per partition); their keys and aliases load unchanged`);
  }

  /** Waits for every write (and compaction) in flight, closes the stores, then releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.stores.values()) {
      try {
        await (await s).close();
      } catch {
        // A store that failed to open has nothing to flush.
      }
    }
    await unlockIfOurs(this.dir);
  }
}

/** Directories locked by this process (a second server in the same process is refused too). */
const held = new Set<string>();

async function lock(dir: string): Promise<void> {
  const path = join(dir, LOCK_FILE);
  if (held.has(dir)) throw new ValidationException(`Data directory ${dir} is in use by another server in this process.`);
  held.add(dir);
  try {
    await takeLock(dir, path);
  } catch (e) {
    held.delete(dir);
    throw e;
  }
}

async function takeLock(dir: string, path: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(`${process.pid}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new ValidationException(`Data directory ${dir} is in use by process ${pid} (lock file ${path}); stop it, or remove the lock file if that process is not kms-core.`);
    }
    // Stale: its owner is gone (or it is ours from an earlier run in this process).
    await unlink(path).catch(() => undefined);
  }
  throw new ValidationException(`Cannot take the lock ${path}`);
}

async function unlockIfOurs(dir: string): Promise<void> {
  const path = join(dir, LOCK_FILE);
  const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  if (pid === process.pid) await unlink(path).catch(() => undefined);
  held.delete(dir);
}
