/**
 * The journal of a FileKeyStore (file-store.ts): an append-only file of checksummed records,
 * one line each. Node only.
 *
 *   <16 lowercase hex: the first 8 bytes of SHA-256 of JSON> <space> <JSON> <LF>
 *
 * The first line of every journal file is its header, `{"format":"kms-core/journal","version":1}`;
 * every later line is one change:
 *
 *   {"Seq": n, "Changes": [ {"PutKey": <key, snapshot form>} | {"DeleteKey": "<key ARN>"}
 *                         | {"PutAlias": <alias, snapshot form>} | {"DeleteAlias": "<alias ARN>"}, … ]}
 *
 * JSON never holds a raw line feed, so records are self-delimiting: a reader finds every
 * record after a damaged one. That is what tells the two kinds of damage apart. A damaged
 * record with no intact record after it is the tail a crash mid-append leaves (a prefix of
 * what was being written): it is dropped. A damaged record followed by intact ones cannot come
 * from an interrupted append: the file was changed after it was written, and the store refuses
 * to load rather than lose or reorder changes.
 */
import { createHash } from 'node:crypto';

export const JOURNAL_FORMAT = 'kms-core/journal';
export const JOURNAL_VERSION = 1;
const LF = 0x0a;
const SUM_HEX = 16;
const HEX = /^[0-9a-f]{16}$/;

function checksum(json: string): string {
  return createHash('sha256').update(json, 'utf8').digest('hex').slice(0, SUM_HEX);
}

/** One framed line (with its LF) for a record given as its JSON text. */
export function frameJson(json: string): Buffer {
  return Buffer.from(`${checksum(json)} ${json}\n`, 'utf8');
}

export function frame(record: unknown): Buffer {
  return frameJson(JSON.stringify(record));
}

export function header(): Buffer {
  return frame({ format: JOURNAL_FORMAT, version: JOURNAL_VERSION });
}

export interface JournalLine {
  /** Byte offset of the line in the file. */
  offset: number;
  /** Byte length, LF included. */
  length: number;
  value: unknown;
}

/** Why one line is not an intact record, or undefined when it is. */
function check(line: Buffer): { value: unknown } | string {
  if (line.length < SUM_HEX + 2 || line[SUM_HEX] !== 0x20) return 'not a framed record';
  const sum = line.subarray(0, SUM_HEX).toString('latin1');
  if (!HEX.test(sum)) return 'not a framed record';
  const json = line.subarray(SUM_HEX + 1).toString('utf8');
  if (checksum(json) !== sum) return 'checksum mismatch';
  try {
    return { value: JSON.parse(json) };
  } catch {
    return 'checksum matches but the record is not JSON';
  }
}

export type ScanResult =
  | { ok: true; lines: JournalLine[]; tail?: { offset: number; length: number; reason: string } }
  | { ok: false; lines: JournalLine[]; offset: number; reason: string; intactAfter: number };

/**
 * Splits a journal file into its intact lines. A damaged last record (torn or corrupt, nothing
 * intact after it) is reported as `tail`; a damaged record with intact records after it makes
 * the scan fail at its offset.
 */
export function scan(buf: Buffer): ScanResult {
  const lines: JournalLine[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(LF, pos);
    if (nl === -1) return { ok: true, lines, tail: { offset: pos, length: buf.length - pos, reason: 'incomplete record (no line end)' } };
    const r = check(buf.subarray(pos, nl));
    if (typeof r === 'string') {
      const intactAfter = countIntact(buf, nl + 1);
      if (intactAfter > 0) return { ok: false, lines, offset: pos, reason: r, intactAfter };
      return { ok: true, lines, tail: { offset: pos, length: buf.length - pos, reason: r } };
    }
    lines.push({ offset: pos, length: nl + 1 - pos, value: r.value });
    pos = nl + 1;
  }
  return { ok: true, lines };
}

function countIntact(buf: Buffer, from: number): number {
  let n = 0;
  for (let pos = from; pos < buf.length; ) {
    const nl = buf.indexOf(LF, pos);
    if (nl === -1) break;
    if (typeof check(buf.subarray(pos, nl)) !== 'string') n++;
    pos = nl + 1;
  }
  return n;
}
