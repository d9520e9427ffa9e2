/**
 * Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
 * ListKeyRotations (API reference; Developer Guide, "Rotate AWS KMS keys"). The key-state rule
 * of each row is checked first (src/operations/key-states.ts); then the key spec and origin.
 */
import { LimitExceededException, UnsupportedOperationException } from '../errors.js';
import { importedRotationFields } from '../keys/imported.js';
import type { KeyRecord } from '../keys/record.js';
import { DAY_MS, DEFAULT_ROTATION_PERIOD_DAYS, ON_DEMAND_ROTATION_LIMIT, onDemandRotations, rotateNow } from '../keys/rotation.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { nowMs, type OpContext } from './context.js';
import { noRotation, originNotValid } from './messages.js';
import { isReplica } from '../keys/multi-region.js';
import { primaryOnly, updateShared } from './multi-region-sets.js';
import { newVersion } from './resolve.js';
import { keySpecRow } from './spec.js';
import { paginate } from './views.js';

/* Precondition: only key specs that rotate (symmetric encryption keys) have rotation settings. */
function checkRotatable(rec: KeyRecord, detail = ''): void {
  if (!keySpecRow(rec).rotatable) throw new UnsupportedOperationException(noRotation(rec) + detail);
}

/* Precondition: keys with imported key material have no automatic rotation (key-state table, footnote 7). */
function checkOrigin(rec: KeyRecord, message = originNotValid(rec)): void {
  if (rec.origin === 'EXTERNAL') throw new UnsupportedOperationException(message);
}

/**
 * Rotation settings and on-demand rotation belong to the primary key of a multi-Region set
 * ("You can enable and disable automatic key rotation only on a primary key", "You can perform
 * on-demand rotation only on the primary key": Developer Guide, "Multi-Region keys in AWS KMS").
 */
function checkPrimary(rec: KeyRecord, what: string): void {
  /* Precondition: shared properties change on the primary key. */
  if (isReplica(rec)) throw primaryOnly(rec, what);
}
const SET_ROTATION = 'automatic rotation is set';
const ROTATE_ON_DEMAND = 'on-demand rotation is performed';

// AWS-recorded response (LocalStack's AWS-validated snapshot, test_key_rotations_limits).
const limitReached = (rec: KeyRecord) =>
  new LimitExceededException(`The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${rec.arn}`);

export async function enableKeyRotation(ctx: OpContext, input: Validated<'EnableKeyRotation'>, rec: KeyRecord): Promise<Record<string, never>> {
  checkRotatable(rec, ' Only symmetric encryption KMS keys can be rotated.');
  checkOrigin(rec);
  checkPrimary(rec, SET_ROTATION);
  const period = input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
  const now = nowMs(ctx);
  await updateShared(ctx, rec, SET_ROTATION, (r) => {
    r.rotationEnabled = true;
    r.rotationPeriodInDays = period;
    // "The rotation period defines the number of days after you enable automatic key rotation
    // that KMS will rotate your key material" (EnableKeyRotation reference).
    r.nextRotationDate = now + period * DAY_MS;
  });
  return {};
}

export async function disableKeyRotation(ctx: OpContext, _input: Validated<'DisableKeyRotation'>, rec: KeyRecord): Promise<Record<string, never>> {
  checkRotatable(rec, ' Only symmetric encryption KMS keys can be rotated.');
  checkOrigin(rec);
  checkPrimary(rec, SET_ROTATION);
  await updateShared(ctx, rec, SET_ROTATION, (r) => {
    r.rotationEnabled = false;
    r.nextRotationDate = undefined; // not deleted: the record keeps its layout (operations/keys.ts createKey)
  });
  return {};
}

/**
 * GetKeyRotationStatus. A Disabled key reports its status unchanged; a key pending deletion
 * reports KeyRotationEnabled false (its status returns if the deletion is cancelled).
 * OnDemandRotationStartDate is present only while an on-demand rotation is in progress, and
 * kms-core completes one within the call, so it never appears.
 */
export async function getKeyRotationStatus(_ctx: OpContext, _input: Validated<'GetKeyRotationStatus'>, rec: KeyRecord): Promise<T.GetKeyRotationStatusResponse> {
  checkRotatable(rec);
  checkOrigin(rec);
  const pendingDeletion = rec.keyState === 'PendingDeletion' || rec.keyState === 'PendingReplicaDeletion';
  const enabled = rec.rotationEnabled && !pendingDeletion;
  const out: T.GetKeyRotationStatusResponse = { KeyRotationEnabled: enabled, KeyId: rec.arn };
  if (enabled) {
    out.RotationPeriodInDays = rec.rotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
    if (rec.nextRotationDate !== undefined) out.NextRotationDate = new Date(rec.nextRotationDate);
  }
  return out;
}

/**
 * "When you initiate on-demand key rotation on a symmetric encryption KMS key with imported key
 * material, you must have already imported new key material and that key material's state
 * should be PENDING_ROTATION" (API_RotateKeyOnDemand). AWS's error otherwise is not documented.
 */
const noPendingMaterial = (rec: KeyRecord) =>
  new UnsupportedOperationException(`${rec.arn} has imported key material and no key material in state PENDING_ROTATION: import new key material (ImportKeyMaterial with ImportType NEW_KEY_MATERIAL) before rotating on demand.`);

/**
 * RotateKeyOnDemand: a new backing key now — for a key with imported material, the material
 * imported for it (PENDING_ROTATION) becomes CURRENT; at most 25 on-demand rotations per key.
 */
export async function rotateKeyOnDemand(ctx: OpContext, _input: Validated<'RotateKeyOnDemand'>, rec: KeyRecord): Promise<T.KeyIdResponse> {
  // AWS answers an asymmetric (or HMAC) key with an UnsupportedOperationException that has no
  // message (AWS-recorded response, test_rotate_key_on_demand_raises_error_given_non_symmetric_key).
  if (!keySpecRow(rec).rotatable) throw new UnsupportedOperationException('');
  checkPrimary(rec, ROTATE_ON_DEMAND);
  const imported = rec.origin === 'EXTERNAL';
  /* Precondition: a key with imported material has material pending rotation. */
  if (imported && !rec.pendingRotation) throw noPendingMaterial(rec);
  /* Precondition: fewer than 25 on-demand rotations so far (RotateKeyOnDemand reference). */
  if (onDemandRotations(rec) >= ON_DEMAND_ROTATION_LIMIT) throw limitReached(rec);
  const now = nowMs(ctx);
  const next = imported ? undefined : newVersion(ctx, rec);
  // A multi-Region primary's new material reaches every replica in the same store update;
  // imported material is each key's own (every replica imports it), so it rotates alone.
  const update = imported ? (mutate: (r: KeyRecord) => void) => ctx.keyStore.updateKey(rec.arn, mutate) : (mutate: (r: KeyRecord) => void) => updateShared(ctx, rec, ROTATE_ON_DEMAND, mutate);
  await update((r) => {
    // Checked again inside the atomic update: concurrent calls must not pass the limit.
    if (onDemandRotations(r) >= ON_DEMAND_ROTATION_LIMIT) throw limitReached(rec);
    if (next) rotateNow(r, now, next);
    else {
      const pending = r.pendingRotation;
      if (!pending) throw noPendingMaterial(rec);
      delete r.pendingRotation;
      rotateNow(r, now, () => ({ ...pending, createdAt: now }));
    }
  });
  return { KeyId: rec.arn };
}

/**
 * ListKeyRotations: one entry per rotation; ALL_KEY_MATERIAL "adds the first key material and
 * any imported key material pending rotation". Keys with imported material add ImportState,
 * ExpirationModel, ValidTo and KeyMaterialDescription to each entry (API_RotationsListEntry).
 */
export async function listKeyRotations(_ctx: OpContext, input: Validated<'ListKeyRotations'>, rec: KeyRecord): Promise<T.ListKeyRotationsResponse> {
  checkRotatable(rec);
  const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
  const imported = rec.origin === 'EXTERNAL';
  const last = rec.material.length - 1;
  const entries = rec.material
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => all || m.rotationType !== undefined)
    .map(({ m, i }) => {
      const e: T.RotationsListEntry = { KeyId: rec.arn, KeyMaterialId: m.id, KeyMaterialState: i === last ? 'CURRENT' : 'NON_CURRENT' };
      // RotationDate and RotationType are absent for the key's first material (RotationsListEntry).
      if (m.rotationType) {
        e.RotationDate = new Date(m.createdAt);
        e.RotationType = m.rotationType;
      }
      if (imported) Object.assign(e, importedRotationFields(m));
      return e;
    });
  // Multi-Region hook: a primary whose replicas lack this material answers
  // PENDING_MULTI_REGION_IMPORT_AND_ROTATION here (API_RotationsListEntry: KeyMaterialState).
  if (all && rec.pendingRotation) entries.push({ KeyId: rec.arn, KeyMaterialId: rec.pendingRotation.id, KeyMaterialState: 'PENDING_ROTATION', ...importedRotationFields(rec.pendingRotation) });
  const page = paginate(entries, (e) => e.KeyMaterialId as string, input.Limit ?? 100, input.Marker);
  return { Rotations: page.items, ...page.more };
}
