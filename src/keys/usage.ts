/**
 * Key last usage (API reference, GetKeyLastUsage): the last successful cryptographic operation
 * of each key, kept in memory per key store and persisted lazily.
 *
 * Recording is on the hot path of every cryptographic call, so it costs one Map set per key the
 * call used (ReEncrypt: two) and nothing durable: the log lives beside the store (one per store
 * object, shared by every Kms on it, whatever its account) and reaches the key records only
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

/** The in-memory usage of one store's keys, by key ARN. */
export class KeyUsageLog {
  /** When this log began (epoch ms): the tracking start of records that carry none. */
  readonly since: number;
  /** The newest usage of each key ARN. */
  readonly last = new Map<string, KeyUsageRecord>();
  /** The usage a flush last persisted for each key ARN (ReEncrypt notes one record on two keys). */
  readonly flushed = new Map<string, KeyUsageRecord>();

  constructor(since: number) {
    this.since = since;
  }

  /** Records a use (the hot path: one Map set). */
  note(arn: string, usage: KeyUsageRecord): void {
    this.last.set(arn, usage);
  }

  /** Drops a deleted key's entries (the log holds at most one entry per live key). */
  forget(arn: string): void {
    this.last.delete(arn);
    this.flushed.delete(arn);
  }

  toJSON(): { keys: number } {
    return { keys: this.last.size };
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
  return newer(rec.lastUsage, log?.last.get(rec.arn));
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
  const u = log.last.get(rec.arn);
  const since = rec.usageTrackedSince ?? log.since;
  if (!u || u === rec.lastUsage || (rec.lastUsage && rec.lastUsage.timestamp > u.timestamp)) return rec;
  return { ...rec, lastUsage: u, usageTrackedSince: since };
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
  for (const [arn, u] of [...log.last]) {
    if (log.flushed.get(arn) === u) continue;
    const stored = await store.updateKey(arn, (r) => {
      r.usageTrackedSince ??= log.since;
      if (!r.lastUsage || r.lastUsage.timestamp <= u.timestamp) r.lastUsage = u;
    });
    if (!stored) {
      if (log.last.get(arn) === u) log.last.delete(arn);
      log.flushed.delete(arn);
      continue;
    }
    log.flushed.set(arn, u);
    written++;
  }
  return written;
}
