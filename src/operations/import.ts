/**
 * Imported key material (BYOK): GetParametersForImport, ImportKeyMaterial,
 * DeleteImportedKeyMaterial (API reference, each page; Developer Guide, "Importing key
 * material"). The runner has resolved the key (key ID or key ARN only), authorized it and
 * applied the rule of the key-state table (src/operations/key-states.ts IMPORT_MATERIAL,
 * DELETE_IMPORTED_MATERIAL: Origin EXTERNAL first); the handlers check the rest in this order:
 * the key spec, the request's own parameters, the import token, the wrapped material, the material.
 *
 * Below them: src/algorithms/wrapping.ts (wrapping key pairs, unwrapping), src/keys/import-token.ts
 * (parameter sets and the ImportToken), src/algorithms/importable.ts (what each key spec imports),
 * src/keys/import-material.ts (KeyMaterialId, the symmetric import plan), src/keys/imported.ts
 * (import state, expiry, deletion).
 *
 * Secrets: the unwrapped material and the copy a row reads from it are kms-core's own buffers,
 * zeroed in `finally`; the record keeps its own copy. A wrapping private key is zeroed once the
 * update that drops its parameter set (consumed by an import, or pruned) is stored, and material
 * a deletion or expiry removed once that update is stored (src/operations/resolve.ts releaseMaterial).
 */
import { importRow, type ImportRow, type ReadMaterial } from '../algorithms/importable.js';
import { checkWrappingChoice, unwrapImportedMaterial } from '../algorithms/wrapping.js';
import { InvalidCiphertextException, IncorrectKeyMaterialException, KMSInvalidStateException, NotFoundException, UnsupportedOperationException, ValidationException } from '../errors.js';
import { importedKeyMaterialId, planSymmetricImport } from '../keys/import-material.js';
import { isReplica, primaryRegionOf, relatedArn } from '../keys/multi-region.js';
import { consumeImportParameters, newImportParameters, openImportToken, pruneImportParameters, type ImportParameters } from '../keys/import-token.js';
import { allMaterialImported, deleteVersion, expireImportedMaterial, importStateOf, type FreedMaterial } from '../keys/imported.js';
import type { BackingKey, ExpirationModel, KeyRecord } from '../keys/record.js';
import { DAY_MS } from '../keys/rotation.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { wipe } from '../util/bytes.js';
import { nowMs, type OpContext } from './context.js';
import { keyNotFound } from './messages.js';
import { releaseMaterial } from './resolve.js';

/** "The maximum value is 365 days from the request date" (API_ImportKeyMaterial, ValidTo). */
export const MAX_VALID_TO_MS = 365 * DAY_MS;

/** The model's description of InvalidCiphertextException for ImportKeyMaterial. */
const UNWRAP_FAILED = 'From the ImportKeyMaterial operation, the request was rejected because KMS could not decrypt the encrypted (wrapped) key material.';

/** The import row of the key's spec. */
function rowOf(rec: KeyRecord): ImportRow {
  const row = importRow(rec.keySpec);
  /* Precondition: the key spec takes imported key material (Developer Guide: "Importing ML-DSA keys is not supported"). */
  if (!row) throw new UnsupportedOperationException(`Importing key material is not supported for key spec ${rec.keySpec}.`);
  return row;
}

/**
 * The condition keys of GetParametersForImport (kms:WrappingAlgorithm, kms:WrappingKeySpec) for
 * the key policy (Developer Guide, "AWS KMS condition keys").
 */
export function wrappingFacts(input: Validated<'GetParametersForImport'>) {
  return { wrappingAlgorithm: input.WrappingAlgorithm, wrappingKeySpec: input.WrappingKeySpec };
}

/**
 * The condition keys of ImportKeyMaterial: kms:ExpirationModel (its default when omitted) and
 * kms:ValidTo (epoch seconds, for the identity hook; key policies here have no Numeric operators).
 */
export function expirationFacts(input: Validated<'ImportKeyMaterial'>) {
  const validTo = input.ValidTo === undefined ? undefined : String(Math.floor(input.ValidTo.getTime() / 1000));
  return { expirationModel: input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES', validTo };
}

/**
 * GetParametersForImport: a new wrapping key pair for the key, kept with the key for 24 hours
 * ("Each public key and import token set is valid for 24 hours"), its public key and the token.
 */
export async function getParametersForImport(ctx: OpContext, input: Validated<'GetParametersForImport'>, rec: KeyRecord): Promise<T.GetParametersForImportResponse> {
  const row = rowOf(rec);
  const algorithm = input.WrappingAlgorithm;
  const spec = input.WrappingKeySpec;
  const refusal = checkWrappingChoice(algorithm, spec, ctx.region);
  /* Precondition: the wrapping algorithm is one AWS still supports (RSAES_PKCS1_V1_5: not since 2023-10-10). */
  if (refusal === 'deprecated') throw new UnsupportedOperationException(`As of October 10, 2023, KMS does not support the ${algorithm} wrapping algorithm.`);
  /* Precondition: the wrapping algorithm and key spec are offered in this Region (SM2, SM2PKE: China Regions only; RSA_AES_*: not in China Regions). */
  if (refusal === 'region') throw new UnsupportedOperationException(`The ${algorithm} wrapping algorithm with the ${spec} wrapping key spec is not supported in this Region.`);
  /* Precondition: the wrapping algorithm wraps with the wrapping key spec (SM2PKE: SM2; the RSA algorithms: RSA_*). */
  if (refusal === 'spec-mismatch') throw new ValidationException(`The ${algorithm} wrapping algorithm cannot be used with the ${spec} wrapping key spec.`);
  const materialRefusal = row.wrappingRefusal?.(algorithm, spec);
  /* Precondition: the wrapping choice can carry this key spec's material. */
  if (materialRefusal) throw new ValidationException(materialRefusal);
  const now = nowMs(ctx);
  const { params, response } = await newImportParameters(ctx.env.backend, ctx.env.random, { keyArn: rec.arn, wrappingAlgorithm: algorithm, wrappingKeySpec: spec, now });
  let dropped: ImportParameters[] = [];
  let stored = false;
  try {
    const updated = await ctx.keyStore.updateKey(rec.arn, (r) => {
      const u = pruneImportParameters(r.importParameters, now, params);
      dropped = u.dropped;
      if (u.keep.length) r.importParameters = u.keep;
      else delete r.importParameters;
    });
    if (!updated) throw new NotFoundException(keyNotFound(rec.arn));
    stored = true;
  } finally {
    if (!stored) wipe(params.privateKey);
  }
  for (const d of dropped) wipe(d.privateKey);
  return response;
}

/** ExpirationModel and ValidTo of an ImportKeyMaterial request, checked (API_ImportKeyMaterial). */
function expiryOf(input: Validated<'ImportKeyMaterial'>, now: number): { expirationModel: ExpirationModel; validTo?: number } {
  // "The default is KEY_MATERIAL_EXPIRES."
  const expirationModel = input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES';
  if (expirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
    /* Precondition: no ValidTo with KEY_MATERIAL_DOES_NOT_EXPIRE ("you must omit the ValidTo parameter"). */
    if (input.ValidTo !== undefined) throw new ValidationException('ValidTo is not valid when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.');
    return { expirationModel };
  }
  /* Precondition: KEY_MATERIAL_EXPIRES (the default) comes with a ValidTo ("you must specify a value for the ValidTo parameter"). */
  if (input.ValidTo === undefined) throw new ValidationException('ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES (the default); to import key material that does not expire, set ExpirationModel to KEY_MATERIAL_DOES_NOT_EXPIRE.');
  const validTo = input.ValidTo.getTime();
  /* Precondition: ValidTo is a future date at most 365 days from the request date. */
  if (!(validTo > now) || validTo > now + MAX_VALID_TO_MS) throw new ValidationException('ValidTo must be a future date and time no more than 365 days from the request date.');
  return { expirationModel, validTo };
}

/** Where an import lands (src/keys/import-material.ts planSymmetricImport for symmetric keys). */
type Plan = { kind: 'first' } | { kind: 'reimport'; index: number | 'pending' } | { kind: 'new' };

function planImport(row: ImportRow, r: KeyRecord, read: ReadMaterial, id: string, input: Validated<'ImportKeyMaterial'>): Plan {
  if (!row.versions) {
    // "For asymmetric and HMAC keys, you cannot change the key material after the initial import."
    if (r.material.length === 0) return { kind: 'first' };
    /* Precondition: an asymmetric or HMAC key takes only the material it had (IncorrectKeyMaterialException). */
    if ((r.material[0] as BackingKey).id !== id) throw new IncorrectKeyMaterialException('The key material is not the key material that was previously imported into this KMS key.');
    return { kind: 'reimport', index: 0 };
  }
  const versions = r.pendingRotation ? [...r.material, r.pendingRotation] : r.material;
  const p = planSymmetricImport(r.keyId, versions, read.material, input.ImportType, input.KeyMaterialId);
  if (p.kind === 'first') return { kind: 'first' };
  if (p.kind === 'reimport') return { kind: 'reimport', index: p.index === r.material.length ? 'pending' : p.index };
  /* Precondition: at most one key material pending rotation (delete it, or rotate to it, first). */
  if (r.pendingRotation) {
    throw new KMSInvalidStateException(`${r.arn} already has key material pending rotation (${r.pendingRotation.id}): rotate to it (RotateKeyOnDemand) or delete it (DeleteImportedKeyMaterial) first.`);
  }
  return { kind: 'new' };
}

/**
 * The KeyMaterialIds a multi-Region replica may import: its primary's material versions
 * (KeyMaterialIds depend only on key ID and material, and a primary and its replicas share the
 * key ID), or undefined when any material may be imported (a single-Region key, a primary).
 * AWS: "the key material that you import into the replica key is identical to the key material
 * that you imported into its primary key", and "You cannot directly import new key material
 * into the replica Region keys" (API_ImportKeyMaterial). A primary that is gone, or holds no
 * material yet, allows none.
 */
export async function sharedMaterialIds(ctx: OpContext, rec: KeyRecord): Promise<readonly string[] | undefined> {
  if (!rec.multiRegion || !isReplica(rec)) return undefined;
  const primary = await ctx.keyStore.getKey(relatedArn(rec, primaryRegionOf(rec)));
  if (!primary) return [];
  const ids = primary.material.map((m) => m.id);
  if (primary.pendingRotation) ids.push(primary.pendingRotation.id);
  return ids;
}

/**
 * ImportKeyMaterial: unwraps the material with the parameter set the token names, checks it for
 * the key spec, and stores it (first import, re-import of a version, or new material pending
 * rotation). The parameter set is consumed ("You must download and re-encrypt your key material
 * every time you import it", Developer Guide). A key whose every permanently associated version
 * is imported becomes Enabled.
 */
export async function importKeyMaterial(ctx: OpContext, input: Validated<'ImportKeyMaterial'>, rec: KeyRecord): Promise<T.ImportKeyMaterialResponse> {
  const row = rowOf(rec);
  const now = nowMs(ctx);
  const expiry = expiryOf(input, now);
  if (!row.versions) {
    /* Precondition: ImportType, KeyMaterialId and KeyMaterialDescription are for symmetric encryption keys ("only usable with symmetric encryption keys"). */
    for (const m of ['ImportType', 'KeyMaterialId', 'KeyMaterialDescription'] as const) {
      if (input[m] !== undefined) throw new ValidationException(`${m} is only usable with symmetric encryption keys; ${rec.arn} has key spec ${rec.keySpec}.`);
    }
  }
  const params = openImportToken(input.ImportToken, rec.arn, rec.importParameters, now);
  let unwrapped: Uint8Array | undefined;
  let read: ReadMaterial | undefined;
  let freed: FreedMaterial[] = [];
  let dropped: ImportParameters[] = [];
  let id = '';
  try {
    unwrapped = await unwrapImportedMaterial(ctx.env.backend, params, input.EncryptedKeyMaterial);
    /* Precondition: the wrapped key material unwraps with the token's wrapping key and algorithm. */
    if (!unwrapped) throw new InvalidCiphertextException(UNWRAP_FAILED);
    const material = row.read(unwrapped, rec.region, rec.material);
    read = material;
    id = importedKeyMaterialId(rec.keyId, material.material);
    const allowed = await sharedMaterialIds(ctx, rec);
    /* Precondition: a multi-Region replica imports its primary's material only. */
    if (allowed && !allowed.includes(id)) throw new IncorrectKeyMaterialException('The key material is not the key material of the primary key of this multi-Region key.');
    const updated = await ctx.keyStore.updateKey(rec.arn, (r) => {
      freed = expireImportedMaterial(r, now);
      // Checked again on the stored record: a concurrent import may have consumed the set.
      const used = openImportToken(input.ImportToken, r.arn, r.importParameters, now);
      const plan = planImport(row, r, material, id, input);
      // Every check has passed; from here on the record only changes.
      const version = (base: BackingKey | undefined): BackingKey => {
        const bk: BackingKey = { ...base, id, material: material.material.slice(), createdAt: base?.createdAt ?? now, importState: 'IMPORTED', expirationModel: expiry.expirationModel };
        if (material.publicKey) bk.publicKey = material.publicKey.slice();
        if (expiry.validTo !== undefined) bk.validTo = expiry.validTo;
        else delete bk.validTo;
        // "If you do not specify a key material description, KMS retains the value you specified
        // when you last imported the same key material into this KMS key."
        if (input.KeyMaterialDescription !== undefined) bk.description = input.KeyMaterialDescription;
        return bk;
      };
      const replaced = (bk: BackingKey | undefined) => {
        if (bk && importStateOf(bk) === 'IMPORTED') freed.push({ id: bk.id, material: bk.material });
      };
      if (plan.kind === 'first') r.material = [version(undefined)];
      else if (plan.kind === 'new') r.pendingRotation = version(undefined);
      else if (plan.index === 'pending') {
        replaced(r.pendingRotation);
        r.pendingRotation = version(r.pendingRotation);
      } else {
        replaced(r.material[plan.index]);
        r.material[plan.index] = version(r.material[plan.index]);
      }
      const u = consumeImportParameters(r.importParameters, used);
      dropped = u.dropped;
      if (u.keep.length) r.importParameters = u.keep;
      else delete r.importParameters;
      // "When this operation is successful, the state of the KMS key changes to Enabled"; "For
      // symmetric encryption keys, you will need to import all of the key materials associated
      // with the KMS key to change its state to Enabled."
      if (r.keyState === 'PendingImport' && allMaterialImported(r)) r.keyState = 'Enabled';
    });
    if (!updated) throw new NotFoundException(keyNotFound(rec.arn));
    for (const d of dropped) wipe(d.privateKey);
  } finally {
    wipe(unwrapped, read?.material);
    // Expired versions, and re-imported ones (the same bytes, now in a new buffer).
    releaseMaterial(ctx, freed);
  }
  const out: T.ImportKeyMaterialResponse = { KeyId: rec.arn };
  if (row.versions) out.KeyMaterialId = id;
  return out;
}

/**
 * DeleteImportedKeyMaterial: the material named by KeyMaterialId ("If no KeyMaterialId is
 * specified, KMS deletes the current key material") is removed; the key becomes PendingImport
 * unless it is pending deletion or the material was only pending rotation. A key whose material
 * was never imported is unchanged ("No effect", key-state table). The response names the deleted
 * material for symmetric keys.
 *
 * Multi-Region hook: deleting a primary's material in PENDING_ROTATION or
 * PENDING_MULTI_REGION_IMPORT_AND_ROTATION "also deletes the key materials for the replica Region
 * keys" (API_DeleteImportedKeyMaterial) — the multi-Region handlers apply `deleteVersion` to each
 * replica's record with the same KeyMaterialId.
 */
export async function deleteImportedKeyMaterial(ctx: OpContext, input: Validated<'DeleteImportedKeyMaterial'>, rec: KeyRecord): Promise<T.DeleteImportedKeyMaterialResponse> {
  const versions = importRow(rec.keySpec)?.versions ?? false;
  /* Precondition: a KeyMaterialId names material of a symmetric encryption key (other keys have one material). */
  if (input.KeyMaterialId !== undefined && !versions) throw new ValidationException(`KeyMaterialId is only usable with symmetric encryption keys; ${rec.arn} has key spec ${rec.keySpec}.`);
  const now = nowMs(ctx);
  let freed: FreedMaterial[] = [];
  let deleted: string | undefined;
  try {
    const updated = await ctx.keyStore.updateKey(rec.arn, (r) => {
      freed = expireImportedMaterial(r, now);
      let index: number | 'pending' | undefined;
      if (input.KeyMaterialId !== undefined) {
        const want = input.KeyMaterialId;
        if (r.pendingRotation?.id === want) index = 'pending';
        else {
          const i = r.material.findIndex((m) => m.id === want);
          /* Precondition: the KeyMaterialId names material of this key. */
          if (i < 0) throw new NotFoundException(`Key material ${want} is not associated with ${r.arn}.`);
          index = i;
        }
      } else if (r.material.length > 0) index = r.material.length - 1;
      if (index === undefined) return;
      deleted = index === 'pending' ? r.pendingRotation?.id : r.material[index]?.id;
      const f = deleteVersion(r, index);
      if (f) freed.push(f);
    });
    if (!updated) throw new NotFoundException(keyNotFound(rec.arn));
  } finally {
    releaseMaterial(ctx, freed);
  }
  const out: T.DeleteImportedKeyMaterialResponse = { KeyId: rec.arn };
  if (deleted !== undefined && versions) out.KeyMaterialId = deleted;
  return out;
}
