/**
 * Backing-key rotation (KMS Developer Guide, "Rotate AWS KMS keys"). Each rotation appends a new
 * backing-key version; none is ever removed, so every ciphertext stays decryptable.
 *
 * Automatic rotation runs every RotationPeriodInDays (90..2560, default 365) while the key is
 * Enabled. kms-core applies it lazily: whenever a key is touched and `now()` has passed its
 * NextRotationDate, the missed rotations are added with their scheduled dates.
 */
import type { BackingKey, KeyRecord } from './record.js';

/** Makes a new material version created at `createdAt` (the key spec's row decides how). */
export type NewVersion = (createdAt: number) => BackingKey;

export const DAY_MS = 86_400_000;
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;
/** On-demand rotations allowed per key: 25 in the current RotateKeyOnDemand reference and Developer Guide (10 at launch in 2024). */
export const ON_DEMAND_ROTATION_LIMIT = 25;

export function rotationDue(r: KeyRecord, now: number): boolean {
  return r.rotationEnabled && r.keyState === 'Enabled' && r.nextRotationDate !== undefined && r.nextRotationDate <= now;
}

/** Adds every scheduled rotation up to `now` (call inside KeyStore.updateKey). */
export function applyScheduledRotations(r: KeyRecord, now: number, next: NewVersion): void {
  const period = (r.rotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS) * DAY_MS;
  while (rotationDue(r, now)) {
    const at = r.nextRotationDate as number;
    r.material.push({ ...next(at), rotationType: 'AUTOMATIC' });
    r.nextRotationDate = at + period;
  }
}

/** Adds one on-demand rotation. */
export function rotateNow(r: KeyRecord, now: number, next: NewVersion): void {
  r.material.push({ ...next(now), rotationType: 'ON_DEMAND' });
  r.onDemandRotationStartDate = now;
}

/** A rotation keeps the key's suite: SM4 keys rotate to SM4 material, AES keys to AES. */

export function onDemandRotations(r: KeyRecord): number {
  let n = 0;
  for (const m of r.material) if (m.rotationType === 'ON_DEMAND') n++;
  return n;
}
