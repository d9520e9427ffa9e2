/**
 * Imported key material over time: the import state of each material version of a key with
 * Origin EXTERNAL, what expiry (ValidTo) and deletion do to it, and what the key's state is
 * then. Pure record logic; the handlers are src/operations/import.ts.
 *
 * AWS rules (API reference and Developer Guide, "Delete imported key material"):
 * - "If you set an expiration date, KMS deletes the key material from the KMS key on the
 *   specified date, making the KMS key unusable. To use the KMS key in cryptographic operations
 *   again, you must reimport the same key material" (API_ImportKeyMaterial, ValidTo).
 * - "the deletion or expiration of any key material in a state other than PENDING_ROTATION
 *   changes the key state to Pending import" (importing-keys-delete-key-material); a key pending
 *   deletion keeps its state (API_DeleteImportedKeyMaterial).
 * - "For symmetric encryption keys, you will need to import all of the key materials associated
 *   with the KMS key to change its state to Enabled" (API_ImportKeyMaterial).
 * - Material pending rotation "is not permanently associated with the KMS key. You can delete
 *   this key material and import different key material in its place" (API_RotationsListEntry).
 *
 * kms-core applies expiry lazily, like scheduled deletion: whenever a key is read
 * (src/operations/resolve.ts `refresh`) and `now()` has passed a ValidTo, the material is
 * removed from the record (its bytes zeroed once the update is stored) and the key becomes
 * PendingImport. A deleted or expired version keeps its KeyMaterialId (which names the material:
 * src/keys/import-material.ts) with empty material and ImportState PENDING_IMPORT, so its
 * ciphertexts stay unopenable until the same material is imported again.
 */
import type { BackingKey, KeyRecord } from './record.js';

/** The import state of a version (absent: IMPORTED, e.g. material seeded before import existed). */
export function importStateOf(bk: BackingKey): 'IMPORTED' | 'PENDING_IMPORT' {
  return bk.importState ?? 'IMPORTED';
}

/** Whether a version's imported material expires at or before `now`. */
function expired(bk: BackingKey, now: number): boolean {
  return importStateOf(bk) === 'IMPORTED' && bk.expirationModel === 'KEY_MATERIAL_EXPIRES' && bk.validTo !== undefined && bk.validTo <= now;
}

/** Whether time has expired any imported material of `r` (cheap: the common key answers false at once). */
export function importExpiryDue(r: KeyRecord, now: number): boolean {
  if (r.origin !== 'EXTERNAL') return false;
  if (r.pendingRotation && expired(r.pendingRotation, now)) return true;
  return r.material.some((bk) => expired(bk, now));
}

/** Every permanently associated version is imported (and there is one): the key can be Enabled. */
export function allMaterialImported(r: KeyRecord): boolean {
  return r.material.length > 0 && r.material.every((bk) => importStateOf(bk) === 'IMPORTED');
}

/** The version `bk` without its material: PENDING_IMPORT, same ID, expiration and description kept for ListKeyRotations. */
export function withoutMaterial(bk: BackingKey): BackingKey {
  const out: BackingKey = { ...bk, material: new Uint8Array(0), importState: 'PENDING_IMPORT' };
  return out;
}

/** The key state once a permanently associated version lost its material. */
function afterLoss(r: KeyRecord): void {
  // API_DeleteImportedKeyMaterial: "When the specified KMS key is in the PendingDeletion state,
  // this operation does not change the KMS key's state. Otherwise, it changes the KMS key's
  // state to PendingImport." Expiry does the same (Developer Guide, as above).
  if (r.keyState !== 'PendingDeletion' && r.keyState !== 'PendingReplicaDeletion') r.keyState = 'PendingImport';
}

/**
 * Material a record no longer holds: its version's ID and the buffer that held it, for the
 * caller to zero (and drop from the caches) once the update is stored — a store may share
 * buffers between copies of a record, so zeroing inside the update could break a failed one.
 */
export interface FreedMaterial {
  readonly id: string;
  readonly material: Uint8Array;
}

/**
 * Removes the material of version `index` of `r` (or its pending-rotation material when
 * `index` is 'pending'); call inside KeyStore.updateKey.
 */
export function deleteVersion(r: KeyRecord, index: number | 'pending'): FreedMaterial | undefined {
  if (index === 'pending') {
    const p = r.pendingRotation;
    delete r.pendingRotation;
    return p && { id: p.id, material: p.material };
  }
  const bk = r.material[index];
  /* Invariant: the version exists (callers pass an index they found in r.material). */
  if (!bk) throw new Error('kms-core: no such material version');
  afterLoss(r);
  if (importStateOf(bk) === 'PENDING_IMPORT') return undefined;
  r.material[index] = withoutMaterial(bk);
  return { id: bk.id, material: bk.material };
}

/**
 * Applies expiry at `now` to `r` (inside KeyStore.updateKey): every imported version whose
 * ValidTo passed loses its material.
 */
export function expireImportedMaterial(r: KeyRecord, now: number): FreedMaterial[] {
  const freed: FreedMaterial[] = [];
  if (r.origin !== 'EXTERNAL') return freed;
  if (r.pendingRotation && expired(r.pendingRotation, now)) {
    const f = deleteVersion(r, 'pending');
    if (f) freed.push(f);
  }
  r.material.forEach((bk, i) => {
    if (!expired(bk, now)) return;
    const f = deleteVersion(r, i);
    if (f) freed.push(f);
  });
  return freed;
}

/**
 * KeyMetadata's ExpirationModel and ValidTo for a key with imported material (API_KeyMetadata:
 * ExpirationModel "present only when Origin is EXTERNAL"; ValidTo "The earliest time at which any
 * imported key material permanently associated with this KMS key expires"). Absent before the
 * first import (a recorded AWS response shows no ExpirationModel for a new EXTERNAL key).
 */
export function importedKeyMetadata(r: KeyRecord): { ExpirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE'; ValidTo?: Date } {
  if (r.origin !== 'EXTERNAL' || r.material.length === 0) return {};
  let validTo: number | undefined;
  for (const bk of r.material) {
    if (importStateOf(bk) !== 'IMPORTED' || bk.expirationModel !== 'KEY_MATERIAL_EXPIRES' || bk.validTo === undefined) continue;
    if (validTo === undefined || bk.validTo < validTo) validTo = bk.validTo;
  }
  if (validTo !== undefined) return { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(validTo) };
  const current = r.material[r.material.length - 1] as BackingKey;
  return { ExpirationModel: current.expirationModel ?? 'KEY_MATERIAL_DOES_NOT_EXPIRE' };
}

/**
 * The RotationsListEntry members of an imported version (API_RotationsListEntry: ImportState,
 * ExpirationModel, ValidTo "only … with KEY_MATERIAL_EXPIRES", KeyMaterialDescription; "only
 * present for symmetric encryption KMS keys with EXTERNAL origin").
 */
export function importedRotationFields(bk: BackingKey): {
  ImportState: 'IMPORTED' | 'PENDING_IMPORT';
  ExpirationModel: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  ValidTo?: Date;
  KeyMaterialDescription?: string;
} {
  const out: ReturnType<typeof importedRotationFields> = {
    ImportState: importStateOf(bk),
    ExpirationModel: bk.expirationModel ?? 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  };
  if (bk.expirationModel === 'KEY_MATERIAL_EXPIRES' && bk.validTo !== undefined) out.ValidTo = new Date(bk.validTo);
  if (bk.description !== undefined) out.KeyMaterialDescription = bk.description;
  return out;
}
