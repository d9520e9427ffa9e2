/**
 * GetKeyLastUsage (API reference, GetKeyLastUsage) and the recording it reports: the runner
 * (run.ts) calls `noteUsage` once after every successful handler; the log itself is
 * src/keys/usage.ts (in memory, per key store, persisted lazily).
 *
 * What counts: a successful call of an operation of the model's KeyLastUsageTrackingOperation
 * enum, on the key its response names — `KeyId` (every cryptographic response carries the key
 * ARN there), and for ReEncrypt also `SourceKeyId`: "Usage information is recorded for both keys
 * independently". A refused call (DryRun included: it answers DryRunOperationException), a
 * signature or MAC that does not verify, and every non-cryptographic operation record nothing.
 * Cross-account use records on the key, whoever calls: the log is keyed by key ARN.
 */
import { TRACKED_OPERATIONS, lastUsageOf, trackingStartOf } from '../keys/usage.js';
import type { KeyRecord } from '../keys/record.js';
import type { KeyLastUsageTrackingOperation, Validated } from '../model/api.js';
import type * as T from '../types.js';
import type { OpContext } from './context.js';

/** Records a successful call of `operation` on the keys `output` names (the hot path: a slot rewritten per key, keys/usage.ts). */
export function noteUsage(ctx: OpContext, operation: string, output: unknown, requestId: string | undefined): void {
  if (!TRACKED_OPERATIONS.has(operation)) return;
  // An injected clock that answers garbage records nothing (the call itself succeeded).
  const timestamp = ctx.epochMs();
  if (!Number.isFinite(timestamp)) return;
  const op = operation as KeyLastUsageTrackingOperation;
  const o = output as { KeyId?: unknown; SourceKeyId?: unknown };
  if (typeof o.KeyId === 'string') ctx.usage.note(o.KeyId, op, timestamp, requestId);
  if (typeof o.SourceKeyId === 'string') ctx.usage.note(o.SourceKeyId, op, timestamp, requestId);
}

/**
 * GetKeyLastUsage: KeyLastUsage (Operation, Timestamp, KmsRequestId when the call came through
 * the endpoint; no CloudTrail, so never CloudTrailEventId) — empty when the key has not been
 * used since TrackingStartDate — with TrackingStartDate and KeyCreationDate.
 */
export async function getKeyLastUsage(ctx: OpContext, _input: Validated<'GetKeyLastUsage'>, rec: KeyRecord): Promise<T.GetKeyLastUsageResponse> {
  const u = lastUsageOf(rec, ctx.usage);
  const last: T.KeyLastUsageData = {};
  if (u) {
    last.Operation = u.operation;
    last.Timestamp = new Date(u.timestamp);
    if (u.requestId !== undefined) last.KmsRequestId = u.requestId;
  }
  return { KeyId: rec.keyId, KeyLastUsage: last, TrackingStartDate: new Date(trackingStartOf(rec, ctx.usage)), KeyCreationDate: new Date(rec.creationDate) };
}
