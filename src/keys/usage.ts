/**
 * Key last usage (API reference, GetKeyLastUsage): the last successful cryptographic operation
 * of each key, kept in memory per key store and persisted lazily.
 *
 * Recording is on the hot path of every cryptographic call, so it costs one Map lookup and a slot
 * rewritten in place per key the call used (ReEncrypt: two) and nothing durable: the log lives
 * beside the store (one per store object, shared by every Kms on it, whatever its account) and
 * reaches the key records only
 *
 *   - in a snapshot: `exportSnapshot()` of the in-memory and file stores merges it (`withUsage`),
 *     without changing the records;
 *   - through `flushKeyUsage(store)`: one `updateKey` per key used since the last flush, which
 *     `kms-core serve` runs every 5 minutes and when it stops.
 *
 * What a crash loses is the usage recorded since the last flush; a key then answers with the
 * last usage persisted before it (GetKeyLastUsage is eventually consistent in AWS too).
 *
 * TrackingStartDate ("the date from which KMS began recording cryptographic activity for this
 * key, or the date the KMS key was created, whichever is later"): a key created by kms-core
 * records `usageTrackedSince` at creation, so it is tracked from then on; a record without it
 * (written by a kms-core before usage tracking) is tracked from when this log began, and keeps
 * that date once a flush persists its usage. Pure code (no node:*).
 */
import type { KeyLastUsageTrackingOperation } from '../model/api.js';
import type { KeyRecord } from './record.js';
import type { KeyStore } from './store.js';

/** One recorded use of a key. */
export interface KeyUsageRecord {
  readonly operation: KeyLastUsageTrackingOperation;
  /** Epoch ms. */
  readonly timestamp: number;
  /** The x-amzn-RequestId of the call, when it came through the protocol adapter. */
  readonly requestId?: string;
}

/**
 * The operations GetKeyLastUsage reports: the model's KeyLastUsageTrackingOperation enum
 * (with Encapsulate and Decapsulate of @aws-sdk/client-kms ≥ 3.1160).
 */
export const TRACKED_OPERATIONS: ReadonlySet<string> = new Set<KeyLastUsageTrackingOperation>([
  'Decapsulate',
  'Decrypt',
  'DeriveSharedSecret',
  'Encapsulate',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'ReEncrypt',
  'Sign',
  'Verify',
  'VerifyMac',
]);

/**
 * One key's newest usage, overwritten in place by each use.
 *
 * Why in place (issue 14): the log held a new record per call. Over 10^5 keys a key's entry
 * outlives a few scavenges before that key is used again, so every call's record was promoted
 * to the old generation and died there: ~30 bytes of old-generation garbage per call, and with
 * it the major collections over a heap of 10^5 keys (~1.8 µs per ReEncrypt, `--trace-gc`). A
 * slot's fields are rewritten instead: the operation is a module constant, the timestamp a
 * double field (V8 rewrites its box in place), the request ID the call's own string (when the
 * call came through the protocol adapter). Nothing is allocated per call once a key has a slot.
 */
class UsageSlot {
  operation: KeyLastUsageTrackingOperation;
  // A number from its declaration on: a class field declared without one starts as undefined,
  // and V8 then keeps it as a tagged field, where every store of a timestamp allocates a new
  // heap number. Over 10^5 keys each of those outlived its scavenges: 16 B of old-generation
  // garbage per ReEncrypt (v8.getHeapSpaceStatistics; 0.1 B with this initializer).
  timestamp = 0;
  requestId: string | undefined;
  /** Bumped by every use: a flush writes a slot only when its version moved since the last one. */
  version = 0;

  constructor(operation: KeyLastUsageTrackingOperation, timestamp: number, requestId: string | undefined) {
    this.operation = operation;
    this.timestamp = timestamp;
    this.requestId = requestId;
  }

  /** The usage as a record of its own (the slot itself changes with the next use). */
  record(): KeyUsageRecord {
    return this.requestId === undefined ? { operation: this.operation, timestamp: this.timestamp } : { operation: this.operation, timestamp: this.timestamp, requestId: this.requestId };
  }
}

/** Versions stay small integers (V8 Smis: a larger number would be allocated on each bump). */
const VERSION_MASK = 0x3fffffff;

/** The in-memory usage of one store's keys, by key ARN. */
export class KeyUsageLog {
  /** When this log began (epoch ms): the tracking start of records that carry none. */
  readonly since: number;
  /** The newest usage of each key ARN. */
  readonly #last = new Map<string, UsageSlot>();
  /** The slot version a flush last persisted for each key ARN. */
  readonly #flushed = new Map<string, number>();

  constructor(since: number) {
    this.since = since;
  }

  /** Records a use (the hot path: one Map get, and a Map set on a key's first use). */
  note(arn: string, operation: KeyLastUsageTrackingOperation, timestamp: number, requestId: string | undefined): void {
    const slot = this.#last.get(arn);
    if (slot === undefined) {
      this.#last.set(arn, new UsageSlot(operation, timestamp, requestId));
      return;
    }
    slot.operation = operation;
    slot.timestamp = timestamp;
    slot.requestId = requestId;
    slot.version = (slot.version + 1) & VERSION_MASK;
  }

  /** The newest usage of a key ARN, as a record of its own; undefined when none was recorded. */
  get(arn: string): KeyUsageRecord | undefined {
    return this.#last.get(arn)?.record();
  }

  has(arn: string): boolean {
    return this.#last.has(arn);
  }

  /** Drops a deleted key's entries (the log holds at most one entry per live key). */
  forget(arn: string): void {
    this.#last.delete(arn);
    this.#flushed.delete(arn);
  }

  /**
   * The usages recorded since the last flush, each with the version it had: a flush passes the
   * version back to `flushed` once the record is written (a use meanwhile keeps the key due).
   */
  unflushed(): { arn: string; usage: KeyUsageRecord; version: number }[] {
    const out: { arn: string; usage: KeyUsageRecord; version: number }[] = [];
    for (const [arn, slot] of this.#last) if (this.#flushed.get(arn) !== slot.version) out.push({ arn, usage: slot.record(), version: slot.version });
    return out;
  }

  /** Marks version `version` of a key's usage as persisted. */
  flushed(arn: string, version: number): void {
    this.#flushed.set(arn, version);
  }

  /** Drops a key's usage if it is still version `version` (its key is gone from the store). */
  dropIfAt(arn: string, version: number): void {
    if (this.#last.get(arn)?.version === version) this.#last.delete(arn);
    this.#flushed.delete(arn);
  }

  toJSON(): { keys: number } {
    return { keys: this.#last.size };
  }
}

const LOGS = new WeakMap<object, KeyUsageLog>();

/** The usage log of `store`, begun at `now` when it is the first one asked for. */
export function usageLogOf(store: unknown, now: number): KeyUsageLog {
  // A store that is not an object cannot key a WeakMap; its operations fail on their own (issue 12.6).
  if ((typeof store !== 'object' || store === null) && typeof store !== 'function') return new KeyUsageLog(now);
  let log = LOGS.get(store);
  if (!log) LOGS.set(store, (log = new KeyUsageLog(now)));
  return log;
}

/** The usage log of `store`, if any Kms has used it. */
export function existingUsageLog(store: object): KeyUsageLog | undefined {
  return LOGS.get(store);
}

/** The newer of a persisted and an in-memory usage. */
function newer(a: KeyUsageRecord | undefined, b: KeyUsageRecord | undefined): KeyUsageRecord | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.timestamp >= a.timestamp ? b : a;
}

/** The key's last usage: the log's, or the one its record persisted, whichever is newer. */
export function lastUsageOf(rec: KeyRecord, log: KeyUsageLog | undefined): KeyUsageRecord | undefined {
  return newer(rec.lastUsage, log?.get(rec.arn));
}

/** TrackingStartDate of the key (epoch ms): its tracking start, not before its creation. */
export function trackingStartOf(rec: KeyRecord, log: KeyUsageLog | undefined): number {
  return Math.max(rec.creationDate, rec.usageTrackedSince ?? log?.since ?? rec.creationDate);
}

/** Marks a record created now as tracked from its creation (CreateKey, seeds, replicas). */
export function startUsageTracking(rec: KeyRecord): KeyRecord {
  rec.usageTrackedSince = rec.creationDate;
  return rec;
}

/** `rec` with the log's usage merged in, for a snapshot; `rec` itself when nothing changes. */
export function withUsage(rec: KeyRecord, log: KeyUsageLog | undefined): KeyRecord {
  if (!log) return rec;
  const u = log.get(rec.arn);
  const since = rec.usageTrackedSince ?? log.since;
  if (!u || sameUsage(u, rec.lastUsage) || (rec.lastUsage && rec.lastUsage.timestamp > u.timestamp)) return rec;
  return { ...rec, lastUsage: u, usageTrackedSince: since };
}

function sameUsage(a: KeyUsageRecord, b: KeyUsageRecord | undefined): boolean {
  return b !== undefined && a.timestamp === b.timestamp && a.operation === b.operation && a.requestId === b.requestId;
}

/**
 * Persists the usage recorded since the last flush: one `updateKey` per key, keeping the newer
 * of the stored and the recorded usage (other processes on a shared store flush theirs too).
 * Resolves with the number of keys written. Keys deleted meanwhile are dropped from the log.
 */
export async function flushKeyUsage(store: KeyStore): Promise<number> {
  const log = LOGS.get(store);
  if (!log) return 0;
  let written = 0;
  for (const { arn, usage: u, version } of log.unflushed()) {
    const stored = await store.updateKey(arn, (r) => {
      r.usageTrackedSince ??= log.since;
      if (!r.lastUsage || r.lastUsage.timestamp <= u.timestamp) r.lastUsage = u;
    });
    if (!stored) {
      log.dropIfAt(arn, version);
      continue;
    }
    log.flushed(arn, version);
    written++;
  }
  return written;
}
