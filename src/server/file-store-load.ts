/**
 * Loading a FileKeyStore (file-store.ts): the names of its files, and reading them back into
 * tables, checking every record. Node only.
 *
 *   keystore.<stem>.json            the snapshot (file-store-snapshot.ts)
 *   keystore.<stem>.journal.<G>     journal generation G (journal.ts: one checksummed line each)
 *   .<file>.<pid>.<n>.tmp           a file being replaced (file-store-io.ts replaceFile)
 *
 * The snapshot first, then every journal from the snapshot's generation on, in generation order,
 * skipping records at or below the snapshot's sequence (a compaction that finished after they
 * were written). A torn or corrupt last record of the newest journal (an interrupted append) is
 * dropped with a warning, to be cut off by the caller; damage anywhere else stops the load with
 * a ValidationException naming the file and byte offset, since it cannot come from a crash.
 */
import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ValidationException } from '../errors.js';
import { fromSnapshot } from '../keys/snapshot.js';
import { apply, decodeChange, type Scope, type Tables } from './file-store-changes.js';
import { noop, readOptional, type AppendFile } from './file-store-io.js';
import { readMarker, readMigrated, type Marker } from './file-store-snapshot.js';
import { JOURNAL_FORMAT, JOURNAL_VERSION, scan } from './journal.js';
import type { Json } from './record-json.js';

/** The journal appends go to. */
export interface Journal {
  gen: number;
  path: string;
  /** Open once the first append needs it. */
  file: AppendFile | undefined;
  /** Bytes durable in the file. */
  size: number;
}

const TEMP = /^\..+\.\d+\.\d+\.tmp$/;
const GEN = /^[1-9]\d{0,14}$/;

/** keystore.us-east-1.json → keystore.us-east-1 (the prefix of its journals). */
export function stemOf(path: string): string {
  const b = basename(path);
  return b.endsWith('.json') ? b.slice(0, -5) : b;
}

/** The file of journal generation `gen`. */
export function journalPath(dir: string, stem: string, gen: number): string {
  return join(dir, `${stem}.journal.${gen}`);
}

/** The temp file (in the same directory) a write of the file `name` goes through. */
export function tempName(name: string, n: number): string {
  return `.${name}.${process.pid}.${n}.tmp`;
}

/** What the files of a store hold, and what is left to do to them before the store is used. */
export interface Loaded {
  state: Tables;
  /** The last change loaded. */
  seq: number;
  /** The newest journal (the one to append to), its size up to a torn tail. */
  journal: Journal;
  /** Journal bytes holding changes newer than the snapshot, and the snapshot's size. */
  journalBytes: number;
  snapshotBytes: number;
  migrated: string[];
  /** Where a torn last record of the newest journal starts: the journal is to be cut there. */
  tail: number | undefined;
  /** A snapshot without the "journal" member (kms-core ≤ 0.1): to be marked. */
  unmarked: boolean;
  /** Journal generations the snapshot already holds: leftovers of a compaction, to remove. */
  stale: number[];
}

/**
 * Reads the store whose snapshot is `path` (a missing snapshot is an empty store). Removes the
 * leftover temp files of an interrupted write first: the caller must be the only writer of the
 * directory.
 */
export async function loadStoreFiles(path: string, scope: Scope, log: (message: string) => void): Promise<Loaded> {
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
      apply(state, [...parsed.keys.map((k) => ({ putKey: k })), ...parsed.aliases.map((a) => ({ putAlias: a }))], scope);
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
  let tail: number | undefined;
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
        apply(state, (o.Changes as unknown[]).map(decodeChange), scope);
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
      tail = s.tail.offset;
    }
  }

  const gen = live.length ? (live[live.length - 1] as number) : base.generation;
  // Only the newest journal is appended to (after the cut of a torn tail).
  const journal: Journal = { gen, path: journalPath(dir, stem, gen), file: undefined, size: newestSize };
  return {
    state,
    seq,
    journal,
    journalBytes,
    snapshotBytes: text?.length ?? 0,
    migrated,
    tail,
    unmarked: text !== undefined && !marker,
    stale: gens.filter((g) => g < base.generation),
  };
}
