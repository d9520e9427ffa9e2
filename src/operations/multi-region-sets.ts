/**
 * Changing a multi-Region set (src/keys/multi-region.ts) as one atomic store update: the
 * operations that change a shared property (rotation, its settings, the designations) or end a
 * replica go through here, so every key of the set changes together, or none does.
 *
 * Concurrency. The set to lock is read first (from the primary's designations); inside the
 * atomic update, `mutate` sees the newest records, and when the primary's designations no
 * longer name the same set (a replica was added, or the primary moved, meanwhile) the update
 * is abandoned and retried on the set as it now is. Every check that decides the outcome is
 * made on those newest records, so two servers on one PostgreSQL store (row locks), or two
 * calls in one process, never lose a rotation or a replica. A store without updateKeys
 * (src/keys/update-keys.ts) writes the keys one after the other instead.
 */
import { KMSInternalException, UnsupportedOperationException, type KmsError } from '../errors.js';
import { designate, hasReplicas, isPrimary, isReplica, primaryRegionOf, relatedArn, replicaRegionsOf, setArns, syncShared } from '../keys/multi-region.js';
import type { KeyRecord } from '../keys/record.js';
import { DAY_MS } from '../keys/rotation.js';
import { updateKeysOf } from '../keys/update-keys.js';
import { nowMs, type OpContext } from './context.js';

/** The set the caller locked is not the set the primary names now: retry on `fresh`. */
class SetMoved {
  constructor(readonly fresh: KeyRecord) {}
}

const MAX_ATTEMPTS = 8;

export interface SetUpdate {
  /** The ARNs updated (the set, primary first, then the extra ones), and their records as stored. */
  readonly arns: readonly string[];
  readonly records: readonly (KeyRecord | undefined)[];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Applies `mutate` to every key of `rec`'s set (primary first) and to `extra` keys (slots for
 * keys to create, e.g. a new replica), all in one store update.
 */
export async function updateSet(
  ctx: OpContext,
  rec: KeyRecord,
  mutate: (records: (KeyRecord | undefined)[], arns: readonly string[]) => void,
  extra: readonly string[] = [],
): Promise<SetUpdate> {
  let from = rec;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const set = setArns(from);
    const arns = [...set, ...extra.filter((a) => !set.includes(a))];
    try {
      const records = await updateKeysOf(ctx.keyStore, arns, (recs) => {
        const primary = recs[0];
        if (primary && (!isPrimary(primary) || !sameList(setArns(primary), set))) throw new SetMoved(structuredClone(primary));
        mutate(recs, arns);
      });
      return { arns, records };
    } catch (e) {
      if (!(e instanceof SetMoved)) throw e;
      from = e.fresh;
    }
  }
  throw new KMSInternalException('The multi-Region key changed too often during the request; retry it.');
}

/** The error for an operation AWS allows on the primary key only (Developer Guide: shared properties). */
export function primaryOnly(rec: KeyRecord, what: string): KmsError {
  return new UnsupportedOperationException(`${rec.arn} is a multi-Region replica key: ${what} only on its primary key ${relatedArn(rec, primaryRegionOf(rec))}.`);
}

/**
 * A change to a shared property, made on the primary `rec` (single-Region keys: that key alone)
 * and copied to every replica of its set in the same update. Returns the primary as stored.
 * `what` names the change for the error when `rec` turned out to be a replica meanwhile.
 */
export async function updateShared(ctx: OpContext, rec: KeyRecord, what: string, mutate: (primary: KeyRecord) => void): Promise<KeyRecord | undefined> {
  if (!rec.multiRegion) return ctx.keyStore.updateKey(rec.arn, mutate);
  const out = await updateSet(ctx, rec, (recs, arns) => {
    const own = recs[arns.indexOf(rec.arn)];
    if (!own) return;
    /* Precondition: shared properties change on the primary key. */
    if (isReplica(own)) throw primaryOnly(own, what);
    const primary = recs[0] as KeyRecord;
    mutate(primary);
    for (const r of recs.slice(1)) if (r) syncShared(primary, r);
  });
  return out.records[out.arns.indexOf(rec.arn)];
}

/** arn:<partition>:kms:<region>:… */
const regionOfArn = (arn: string): string => arn.split(':')[3] as string;

function deletionDue(r: KeyRecord, now: number): boolean {
  return r.keyState === 'PendingDeletion' && r.deletionDate !== undefined && now >= r.deletionDate;
}

/**
 * Deletes the replicas of `rec`'s set whose waiting period is over (and drops from the set any
 * replica that is gone), in one update with the designations of the keys that stay. A primary
 * waiting for its replicas (PendingReplicaDeletion) whose last replica is deleted becomes
 * PendingDeletion, its waiting period (PendingDeletionWindowInDays) starting when that replica
 * was deleted (Developer Guide, "Deleting multi-Region keys": "The required waiting period for
 * deleting a primary key begins when the last of its replica keys is deleted"). Returns `rec`'s
 * record as it then is (undefined once deleted); `rec` itself when nothing was due.
 */
export async function settleReplicaDeletions(ctx: OpContext, rec: KeyRecord): Promise<KeyRecord | undefined> {
  if (!rec.multiRegion || replicaRegionsOf(rec).length === 0) return rec;
  const now = nowMs(ctx);
  const store = ctx.keyStore;
  const current = await Promise.all(setArns(rec).map((a) => store.getKey(a)));
  const due = current.slice(1).filter((r): r is KeyRecord => r !== undefined && deletionDue(r, now));
  if (due.length === 0 && !current.slice(1).includes(undefined)) return rec;
  // As refresh() does for any key: its aliases go with it.
  for (const r of due) for (const a of await store.listAliases(r.region, r.accountId)) if (a.targetKeyId === r.keyId) await store.deleteAlias(a.aliasArn);
  const out = await updateSet(ctx, rec, (recs, arns) => {
    const primary = recs[0];
    let lastDeleted: number | undefined;
    const gone = new Set<string>();
    for (let i = 1; i < recs.length; i++) {
      const r = recs[i];
      if (r && !deletionDue(r, now)) continue;
      if (r) lastDeleted = Math.max(lastDeleted ?? 0, r.deletionDate as number);
      gone.add(regionOfArn(arns[i] as string));
      recs[i] = undefined;
    }
    if (gone.size === 0 || !primary) return;
    const remaining = replicaRegionsOf(primary).filter((r) => !gone.has(r));
    for (const r of recs) if (r) designate(r, primary.region, remaining);
    if (primary.keyState === 'PendingReplicaDeletion' && remaining.length === 0) {
      primary.keyState = 'PendingDeletion';
      primary.deletionDate = (lastDeleted ?? now) + (primary.pendingWindowInDays ?? 30) * DAY_MS;
    }
  });
  return out.records[out.arns.indexOf(rec.arn)];
}

/**
 * ScheduleKeyDeletion's new state (call inside the key's atomic update): a primary with
 * replicas waits for them (PendingReplicaDeletion, no DeletionDate yet; "its waiting period
 * (PendingWindowInDays) begins" when the last replica is deleted), any other key is
 * PendingDeletion for `days` (API reference, ScheduleKeyDeletion).
 */
export function scheduleDeletion(r: KeyRecord, now: number, days: number): void {
  r.pendingWindowInDays = days;
  if (hasReplicas(r)) {
    r.keyState = 'PendingReplicaDeletion';
    r.deletionDate = undefined; // not deleted: the record keeps its layout (operations/keys.ts createKey)
    return;
  }
  r.keyState = 'PendingDeletion';
  r.deletionDate = now + days * DAY_MS;
}
