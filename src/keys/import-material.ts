/**
 * Imported key material (BYOK): what ImportKeyMaterial accepts for each key spec, and the
 * KeyMaterialId it assigns. Developer Guide, "Requirements for imported key material":
 *
 * | KeySpec | material |
 * |---|---|
 * | SYMMETRIC_DEFAULT | "256-bits (32 bytes) of binary data. In China Regions, it must be a 128-bits (16 bytes) of binary data." |
 * | HMAC_224/256/384/512 | "at least the same length specified by the key spec. The maximum key length is 1024-bits": 28/32/48/64..128 bytes |
 * | RSA_2048/3072/4096 | two-prime RSA private key, PKCS#8 (BER or DER) |
 * | ECC_NIST_P256/P384/P521, ECC_SECG_P256K1 | RFC 5915 key in PKCS#8, named curve only |
 * | SM2 (China Regions) | GM/T 0003 key in PKCS#8, named curve only |
 * | ML_DSA_* | "Importing ML-DSA keys is not supported" |
 *
 * Material that does not fit is IncorrectKeyMaterialException ("the key material in the request
 * is, expired, invalid, or does not meet expectations", API model). RSA and ECC PKCS#8 parsing
 * belongs to those key specs' rows (their own helpers); SM2 is checked here with primitives/sm2.
 *
 * KeyMaterialId: "Whenever you import key material into a symmetric encryption key, KMS assigns
 * a unique identifier to the key material based on the KMS key ID and the imported key
 * material" (API_ImportKeyMaterial, KeyMaterialId). kms-core: 64 lowercase hex of
 * HMAC-SHA256(key = material, "kms-core/imported key material id v1" ‖ 00 ‖ UTF-8(key ID)).
 * Keyed by the material, so it reveals nothing about it; the key ID (not the ARN) is the input,
 * so a multi-Region primary and its replicas, which share the key ID, compute the same ID for
 * the same material, and two keys never share an ID.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { SUITE_KEY_BYTES, suiteForRegion, symmetricSuite, type SymmetricSuite } from '../algorithms/symmetric.js';
import { IncorrectKeyMaterialException, ValidationException } from '../errors.js';
import { sm2PrivateKeyFromPkcs8 } from '../primitives/sm2-keys.js';
import { toHex, utf8 } from '../util/bytes.js';
import type { BackingKey } from './record.js';

export type ImportType = 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';

const ID_LABEL = utf8('kms-core/imported key material id v1');

/** The KeyMaterialId of `material` imported into the key `keyId`. */
export function importedKeyMaterialId(keyId: string, material: Uint8Array): string {
  const id = utf8(keyId);
  const msg = new Uint8Array(ID_LABEL.length + 1 + id.length);
  msg.set(ID_LABEL);
  msg.set(id, ID_LABEL.length + 1);
  return toHex(hmac(sha256, material, msg));
}

/** HMAC key lengths in bytes (key spec's digest length .. 1024 bits). */
export const HMAC_MATERIAL_BYTES: Readonly<Record<string, { min: number; max: number }>> = {
  HMAC_224: { min: 28, max: 128 },
  HMAC_256: { min: 32, max: 128 },
  HMAC_384: { min: 48, max: 128 },
  HMAC_512: { min: 64, max: 128 },
};

const incorrect = (what: string) => new IncorrectKeyMaterialException(what);

/**
 * The suite imported symmetric material must have: that of the key's existing material when it
 * has any (a key never changes suite), else the Region's (16 bytes in the China Regions).
 */
export function expectedSymmetricSuite(material: readonly BackingKey[], region: string): SymmetricSuite {
  for (const bk of material) {
    const s = symmetricSuite(bk);
    if (s) return s;
  }
  return suiteForRegion(region);
}

/** Throws IncorrectKeyMaterialException unless `material` fits a SYMMETRIC_DEFAULT key of `suite`. */
export function checkSymmetricMaterial(material: Uint8Array, suite: SymmetricSuite): void {
  const n = SUITE_KEY_BYTES[suite];
  if (material.length !== n) throw incorrect(`The key material must be ${n * 8} bits (${n} bytes) of binary data for this KMS key.`);
}

/** Throws IncorrectKeyMaterialException unless `material` fits an HMAC key of `keySpec`. */
export function checkHmacMaterial(keySpec: string, material: Uint8Array): void {
  const r = HMAC_MATERIAL_BYTES[keySpec];
  /* Precondition: the key spec is an HMAC key spec. */
  if (!r) throw new Error(`kms-core: ${keySpec} is not an HMAC key spec`);
  if (material.length < r.min || material.length > r.max) {
    throw incorrect(`The key material for ${keySpec} must be ${r.min * 8} to 1024 bits (${r.min} to ${r.max} bytes).`);
  }
}

/** Throws IncorrectKeyMaterialException unless `material` is an SM2 private key in PKCS#8 (named curve). */
export function checkSm2Material(material: Uint8Array): void {
  try {
    sm2PrivateKeyFromPkcs8(material);
  } catch {
    throw incorrect('The key material must be an SM2 private key in PKCS #8 format.');
  }
}

/** What a symmetric ImportKeyMaterial does with the material (API_ImportKeyMaterial, ImportType). */
export type SymmetricImportPlan =
  /** The key's first material: it becomes CURRENT. */
  | { kind: 'first'; keyMaterialId: string }
  /** Re-import of the material `index` (after expiry or deletion, or to change its expiration). */
  | { kind: 'reimport'; keyMaterialId: string; index: number }
  /** New material for a key that has some: PENDING_ROTATION until RotateKeyOnDemand. */
  | { kind: 'new'; keyMaterialId: string };

/**
 * Decides a symmetric import from the key's material versions (every version the key ever had,
 * imported or pending import, oldest first), the material and the request's ImportType and
 * KeyMaterialId. Throws ValidationException for a KeyMaterialId given with NEW_KEY_MATERIAL, and
 * IncorrectKeyMaterialException for material that is not what the request says it is.
 *
 * - ImportType defaults to NEW_KEY_MATERIAL while no material was ever imported, then to
 *   EXISTING_KEY_MATERIAL.
 * - EXISTING_KEY_MATERIAL: the material's ID must be one the key already has (and equal the
 *   given KeyMaterialId, if any): "not the same key material that was previously imported".
 * - NEW_KEY_MATERIAL: the material must not already be associated with the key ("KMS expected
 *   new key material but the key material being imported is already associated with the KMS key").
 */
export function planSymmetricImport(
  keyId: string,
  versions: readonly BackingKey[],
  material: Uint8Array,
  importType: ImportType | undefined,
  keyMaterialId: string | undefined,
): SymmetricImportPlan {
  const type = importType ?? (versions.length === 0 ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL');
  if (type === 'NEW_KEY_MATERIAL' && keyMaterialId !== undefined) {
    throw new ValidationException('You cannot specify a KeyMaterialId when ImportType is NEW_KEY_MATERIAL.');
  }
  const id = importedKeyMaterialId(keyId, material);
  const index = versions.findIndex((v) => v.id === id);
  if (type === 'EXISTING_KEY_MATERIAL') {
    if (index < 0 || (keyMaterialId !== undefined && keyMaterialId !== id)) {
      throw incorrect('The key material is not the key material that was previously imported into this KMS key.');
    }
    return { kind: 'reimport', keyMaterialId: id, index };
  }
  if (index >= 0) throw incorrect('The key material being imported as new key material is already associated with this KMS key.');
  return versions.length === 0 ? { kind: 'first', keyMaterialId: id } : { kind: 'new', keyMaterialId: id };
}
