/**
 * The snapshot file of a FileKeyStore (file-store.ts): a key-store snapshot (keys/snapshot.ts)
 * with two members of its own, read at open and written by every compaction. Node only.
 *
 *   "journal":  {"sequence": N, "generation": G}   the snapshot holds changes 1..N; appends go
 *                                                   to journal G and later (absent: a store of
 *                                                   kms-core ≤ 0.1, migrated at first open)
 *   "migrated": [region, …]                         the per-Region stores of an older --data
 *                                                   layout this store absorbed (data-dir.ts)
 *
 * The snapshot still loads with InMemoryKeyStore.fromSnapshot, which ignores both. It is written
 * as a stream, in chunks, yielding to the event loop between batches of keys: 10^5 keys take a
 * while to serialize, and requests go on meanwhile (the compaction runs in the background).
 */
import { ValidationException } from '../errors.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from '../keys/snapshot.js';
import type { Tables } from './file-store-changes.js';
import { replaceFile, type FileIo } from './file-store-io.js';
import { aliasToJson, keyToJson, type Json } from './record-json.js';

/** The snapshot's "journal" member. */
export interface Marker {
  sequence: number;
  generation: number;
}

const CHUNK = 1 << 20;

/**
 * The snapshot's `"migrated": [region, …]` member: the per-Region stores of an older --data
 * layout whose records this store holds (src/server/data-dir.ts); their files are leftovers.
 */
export function readMigrated(doc: Json, path: string): string[] {
  const m = doc.migrated;
  if (m === undefined) return [];
  if (!Array.isArray(m) || !m.every((r) => typeof r === 'string' && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(r))) {
    throw new ValidationException(`Cannot load key store ${path}: its "migrated" member must be a list of Regions`);
  }
  return m as string[];
}

export function readMarker(doc: Json, path: string): Marker | undefined {
  const j = doc.journal;
  if (j === undefined) return undefined;
  const m = j as Partial<Marker> | null;
  if (typeof m !== 'object' || m === null || !Number.isSafeInteger(m.sequence) || (m.sequence as number) < 0 || !Number.isSafeInteger(m.generation) || (m.generation as number) < 1) {
    throw new ValidationException(`Cannot load key store ${path}: its "journal" member must be {"sequence": integer ≥ 0, "generation": integer ≥ 1}`);
  }
  return { sequence: m.sequence as number, generation: m.generation as number };
}

/**
 * Writes the snapshot of `t` as of change `seq` (appends going on in journal `gen`) to `path`
 * atomically, through the temp file `tmp`; returns its size in bytes.
 */
export async function writeSnapshotFile(io: FileIo, dir: string, tmp: string, path: string, t: Tables, seq: number, gen: number, migrated: readonly string[]): Promise<number> {
  let bytes = 0;
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
  await replaceFile(io, dir, tmp, path, chunks());
  return bytes;
}
