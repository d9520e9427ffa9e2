/**
 * The --data directory: one FileKeyStore per region (`keystore.<region>.json`, a key-store
 * snapshot, and its journals `keystore.<region>.journal.<n>`), guarded by a lock file so that
 * two servers never write the same directory. Node only.
 */
import { mkdir, open, readFile, readdir, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ValidationException } from '../errors.js';
import { isRegionName } from '../keys/region.js';
import { FileKeyStore, nodeFileIo, type FileIo, type FileKeyStoreOptions } from './file-store.js';

const STORE_FILE = /^keystore\.([a-z0-9-]+)\.(?:json|journal\.[1-9]\d{0,14})$/;
export const LOCK_FILE = '.kms-core.lock';

export function storeFile(dir: string, region: string): string {
  /* Precondition: a region is never a path (and names a file of bounded length). */
  if (!isRegionName(region)) throw new ValidationException(`Invalid region '${String(region).slice(0, 64)}'`);
  return join(dir, `keystore.${region}.json`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Options of every region's store (the region itself is the data directory's to set). */
export type DataDirOptions = Omit<FileKeyStoreOptions, 'region' | 'io'>;

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
   * runs, e.g. one killed with SIGKILL, is taken over) and loads every region's store, so a
   * damaged file is reported at startup rather than at the first request.
   */
  static async open(dir: string, io: FileIo = nodeFileIo, options: DataDirOptions = {}): Promise<DataDir> {
    const abs = resolve(dir);
    await mkdir(abs, { recursive: true, mode: 0o700 });
    await lock(abs);
    const d = new DataDir(abs, io, options);
    try {
      const regions = new Set<string>();
      for (const f of (await readdir(abs)).sort()) {
        const m = STORE_FILE.exec(f);
        if (m && isRegionName(m[1] as string)) regions.add(m[1] as string);
      }
      for (const r of regions) await d.store(r);
    } catch (e) {
      await d.close();
      throw e;
    }
    return d;
  }

  /** The store of one region, opened on first use. */
  store(region: string): Promise<FileKeyStore> {
    let s = this.stores.get(region);
    if (!s) {
      s = Promise.resolve().then(() => FileKeyStore.open(storeFile(this.dir, region), { ...this.options, region, io: this.io }));
      this.stores.set(region, s);
      // A failed open is not cached: the next request tries again.
      s.catch(() => this.stores.delete(region));
    }
    return s;
  }

  regions(): string[] {
    return [...this.stores.keys()].sort();
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
