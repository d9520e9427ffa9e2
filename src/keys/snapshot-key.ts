/**
 * Key records in the key-store snapshot (keys/snapshot.ts): a "keys" entry written from and read
 * back into KeyRecord — its metadata, key material versions (with the imported-material fields of
 * keys/imported.ts), rotation, policy, tags, last usage, multi-Region set, outstanding import
 * parameters and pending-rotation material. Grants are read in snapshot-grant.ts. Reading checks
 * every field and the invariants between them, so a loaded record is one the operations could
 * have produced.
 */
import { isRegionName } from './region.js';
import { parseKeyPolicy } from '../auth/policy.js';
import { KmsError } from '../errors.js';
import { toBase64 } from '../util/bytes.js';
import { isAccountId, isKeyId, keyArn } from './arn.js';
import { validateTags, type ApiTag } from './tags.js';
import { TRACKED_OPERATIONS, type KeyUsageRecord } from './usage.js';
import type { KeyLastUsageTrackingOperation } from '../model/api.js';
import { SHAPES } from '../model/shapes.js';
import { WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from '../algorithms/wrapping.js';
import type { ImportParameters } from './import-token.js';
import { KEY_STATES, type BackingKey, type KeyRecord, type KeySpec, type KeyUsage } from './record.js';
import { Reader, asObject, iso } from './snapshot-fields.js';
import { grantFromJson, grantToJson } from './snapshot-grant.js';

/** Every KeySpec and KeyUsage of the API model (the snapshot holds what the model can name). */
const KEY_SPECS = SHAPES.KeySpec?.enum as readonly KeySpec[];
const KEY_USAGES = SHAPES.KeyUsageType?.enum as readonly KeyUsage[];
const MATERIAL_ID = /^[0-9a-f]{64}$/;

export function keyToJson(r: KeyRecord): Record<string, unknown> {
  const o: Record<string, unknown> = {
    KeyId: r.keyId,
    Arn: r.arn,
    AccountId: r.accountId,
    Region: r.region,
    KeySpec: r.keySpec,
    KeyUsage: r.keyUsage,
    Origin: r.origin,
    Description: r.description,
    MultiRegion: r.multiRegion,
    CreationDate: iso(r.creationDate),
    KeyState: r.keyState,
  };
  if (r.deletionDate !== undefined) o.DeletionDate = iso(r.deletionDate);
  if (r.pendingWindowInDays !== undefined) o.PendingWindowInDays = r.pendingWindowInDays;
  o.RotationEnabled = r.rotationEnabled;
  if (r.rotationPeriodInDays !== undefined) o.RotationPeriodInDays = r.rotationPeriodInDays;
  if (r.nextRotationDate !== undefined) o.NextRotationDate = iso(r.nextRotationDate);
  if (r.onDemandRotationStartDate !== undefined) o.OnDemandRotationStartDate = iso(r.onDemandRotationStartDate);
  o.KeyMaterial = r.material.map(materialToJson);
  if (r.policy !== undefined) o.Policy = r.policy;
  if (r.grants && r.grants.length) o.Grants = r.grants.map(grantToJson);
  if (r.tags && r.tags.length) o.Tags = r.tags.map((t) => ({ TagKey: t.key, TagValue: t.value }));
  if (r.lastUsage) {
    const u: Record<string, unknown> = { Operation: r.lastUsage.operation, Timestamp: iso(r.lastUsage.timestamp) };
    if (r.lastUsage.requestId !== undefined) u.KmsRequestId = r.lastUsage.requestId;
    o.LastUsage = u;
  }
  if (r.usageTrackedSince !== undefined) o.UsageTrackingStartDate = iso(r.usageTrackedSince);
  if (r.primaryRegion !== undefined) o.PrimaryRegion = r.primaryRegion;
  if (r.replicaRegions !== undefined) o.ReplicaRegions = [...r.replicaRegions];
  if (r.importParameters && r.importParameters.length) o.ImportParameters = r.importParameters.map(importParametersToJson);
  if (r.pendingRotation) o.PendingRotationKeyMaterial = materialToJson(r.pendingRotation);
  return o;
}

function materialToJson(m: BackingKey): Record<string, unknown> {
  const j: Record<string, unknown> = { KeyMaterialId: m.id };
  // Deleted or expired imported material (PENDING_IMPORT) is gone: only its ID stays.
  if (m.importState !== 'PENDING_IMPORT') j.Material = toBase64(m.material);
  if (m.publicKey) j.PublicKey = toBase64(m.publicKey);
  j.CreatedAt = iso(m.createdAt);
  if (m.rotationType) j.RotationType = m.rotationType;
  if (m.importState !== undefined) j.ImportState = m.importState;
  if (m.expirationModel !== undefined) j.ExpirationModel = m.expirationModel;
  if (m.validTo !== undefined) j.ValidTo = iso(m.validTo);
  if (m.description !== undefined) j.KeyMaterialDescription = m.description;
  return j;
}

function importParametersToJson(p: ImportParameters): Record<string, unknown> {
  return {
    Id: p.id,
    WrappingAlgorithm: p.wrappingAlgorithm,
    WrappingKeySpec: p.wrappingKeySpec,
    PrivateKey: toBase64(p.privateKey),
    PublicKey: toBase64(p.publicKey),
    ParametersValidTo: iso(p.validTo),
  };
}

export function keyFromJson(v: unknown, i: number): KeyRecord {
  const where = `keys[${i}]`;
  const r = new Reader(asObject(v, where), where);
  const keyId = r.str('KeyId', isKeyId);
  const accountId = r.str('AccountId', isAccountId);
  const region = r.str('Region', (s) => isRegionName(s));
  const arn = r.str('Arn');
  if (arn !== keyArn(region, accountId, keyId)) r.fail('Arn', 'does not match KeyId, AccountId and Region');
  const keySpec = r.oneOf('KeySpec', KEY_SPECS);
  const symmetric = keySpec === 'SYMMETRIC_DEFAULT';
  // HMAC keys hold their raw key (28..128 bytes: the HMAC_224 minimum up to 1024 bits) and no public key.
  const hmac = keySpec.startsWith('HMAC_');
  const list: unknown = (v as Record<string, unknown>).KeyMaterial;
  if (!Array.isArray(list)) r.fail('KeyMaterial', 'must be a list');
  const origin = r.oneOf('Origin', ['AWS_KMS', 'EXTERNAL'] as const);
  const materialFromJson = (m: unknown, mw: string): BackingKey => {
    const mr = new Reader(asObject(m, mw), mw);
    const id = mr.str('KeyMaterialId', (s) => MATERIAL_ID.test(s));
    const is = mr.optStr('ImportState');
    const importState = is === undefined ? undefined : mr.oneOf('ImportState', ['IMPORTED', 'PENDING_IMPORT'] as const);
    if (importState !== undefined && origin !== 'EXTERNAL') mr.fail('ImportState', 'is only for keys with Origin EXTERNAL');
    const pending = importState === 'PENDING_IMPORT';
    if (pending && (m as Record<string, unknown>).Material !== undefined) mr.fail('Material', 'must be absent while PENDING_IMPORT');
    const bk: BackingKey = {
      id,
      material: pending ? new Uint8Array(0) : mr.bytes('Material'),
      createdAt: mr.date('CreatedAt'),
    };
    if (!pending && symmetric && bk.material.length !== 32 && bk.material.length !== 16) mr.fail('Material', 'must be 32 bytes (AES-256) or 16 bytes (SM4, China Regions) for a symmetric key');
    if (!pending && hmac && (bk.material.length < 28 || bk.material.length > 128)) mr.fail('Material', 'must be 28..128 bytes for an HMAC key');
    if (!symmetric && !hmac) bk.publicKey = mr.bytes('PublicKey');
    const rt = mr.optStr('RotationType');
    if (rt !== undefined) bk.rotationType = mr.oneOf('RotationType', ['AUTOMATIC', 'ON_DEMAND'] as const);
    if (importState !== undefined) bk.importState = importState;
    const em = mr.optStr('ExpirationModel');
    if (em !== undefined) bk.expirationModel = mr.oneOf('ExpirationModel', ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const);
    const vt = mr.optDate('ValidTo');
    if (vt !== undefined) bk.validTo = vt;
    if (bk.expirationModel === 'KEY_MATERIAL_EXPIRES' && vt === undefined) mr.fail('ValidTo', 'is required with ExpirationModel KEY_MATERIAL_EXPIRES');
    if (vt !== undefined && bk.expirationModel !== 'KEY_MATERIAL_EXPIRES') mr.fail('ValidTo', 'is only for ExpirationModel KEY_MATERIAL_EXPIRES');
    const desc = mr.optStr('KeyMaterialDescription');
    if (desc !== undefined) {
      if (desc.length > 256) mr.fail('KeyMaterialDescription', 'must be at most 256 characters');
      bk.description = desc;
    }
    return bk;
  };
  const material: BackingKey[] = (list as unknown[]).map((m, j) => materialFromJson(m, `${where}.KeyMaterial[${j}]`));
  const keyState = r.oneOf('KeyState', KEY_STATES);
  // A key with imported material may have none yet (PendingImport) and may be scheduled for
  // deletion (or be in a transient state) before any is imported. Only a key that can be
  // Enabled, Disabled or Updating must hold material.
  const usable = keyState === 'Enabled' || keyState === 'Disabled' || keyState === 'Updating';
  if (material.length === 0 && (usable || (origin !== 'EXTERNAL' && keyState !== 'PendingImport'))) {
    r.fail('KeyMaterial', 'must not be empty unless the key is PendingImport or has imported material not yet imported');
  }
  if (!symmetric && material.length > 1) r.fail('KeyMaterial', 'must hold one version for an asymmetric key');
  const rec: KeyRecord = {
    keyId,
    arn,
    accountId,
    region,
    keySpec,
    keyUsage: r.oneOf('KeyUsage', KEY_USAGES),
    origin,
    description: r.str('Description'),
    multiRegion: r.bool('MultiRegion'),
    creationDate: r.date('CreationDate'),
    keyState,
    rotationEnabled: r.bool('RotationEnabled'),
    material,
  };
  const dd = r.optDate('DeletionDate');
  if (dd !== undefined) rec.deletionDate = dd;
  if (keyState === 'PendingDeletion' && dd === undefined) r.fail('DeletionDate', 'is required when PendingDeletion');
  const pw = r.optInt('PendingWindowInDays', 7, 30);
  if (pw !== undefined) rec.pendingWindowInDays = pw;
  const rp = r.optInt('RotationPeriodInDays', 90, 2560);
  if (rp !== undefined) rec.rotationPeriodInDays = rp;
  const nr = r.optDate('NextRotationDate');
  if (nr !== undefined) rec.nextRotationDate = nr;
  const od = r.optDate('OnDemandRotationStartDate');
  if (od !== undefined) rec.onDemandRotationStartDate = od;
  if (rec.rotationEnabled && (rp === undefined || nr === undefined)) {
    r.fail('RotationEnabled', 'requires RotationPeriodInDays and NextRotationDate');
  }
  // Automatic rotation exists for symmetric encryption keys with AWS_KMS material only
  // (API_EnableKeyRotation): a record claiming it for another key could never rotate.
  if (rec.rotationEnabled && (!symmetric || origin !== 'AWS_KMS')) r.fail('RotationEnabled', 'is only for SYMMETRIC_DEFAULT keys of Origin AWS_KMS');
  const policy = r.optStr('Policy');
  if (policy !== undefined) {
    try {
      parseKeyPolicy(policy, arn.split(':')[1]);
    } catch (e) {
      if (e instanceof KmsError) r.fail('Policy', 'is not a valid key policy');
      throw e;
    }
    rec.policy = policy;
  }
  const grants: unknown = (v as Record<string, unknown>).Grants;
  if (grants !== undefined) {
    if (!Array.isArray(grants)) r.fail('Grants', 'must be a list');
    const partition = arn.split(':')[1] as string;
    const list = (grants as unknown[]).map((g, j) => grantFromJson(g, `${where}.Grants[${j}]`, partition));
    if (new Set(list.map((g) => g.grantId)).size !== list.length) r.fail('Grants', 'holds a GrantId twice');
    if (list.length) rec.grants = list;
  }
  const tags: unknown = (v as Record<string, unknown>).Tags;
  if (tags !== undefined) {
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'object' && t !== null && typeof t.TagKey === 'string' && typeof t.TagValue === 'string')) {
      r.fail('Tags', 'must be a list of { TagKey, TagValue } strings');
    }
    const list = tags as ApiTag[];
    try {
      validateTags(list);
    } catch (e) {
      if (e instanceof KmsError) r.fail('Tags', `is not a valid tag set (${e.name})`);
      throw e;
    }
    if (list.length) rec.tags = list.map((t) => ({ key: t.TagKey, value: t.TagValue }));
  }
  const lu: unknown = (v as Record<string, unknown>).LastUsage;
  if (lu !== undefined) {
    const uw = `${where}.LastUsage`;
    const ur = new Reader(asObject(lu, uw), uw);
    const usage: KeyUsageRecord = { operation: ur.oneOf('Operation', [...TRACKED_OPERATIONS] as KeyLastUsageTrackingOperation[]), timestamp: ur.date('Timestamp') };
    const id = ur.optStr('KmsRequestId');
    rec.lastUsage = id === undefined ? usage : { ...usage, requestId: id };
  }
  const ts = r.optDate('UsageTrackingStartDate');
  if (ts !== undefined) rec.usageTrackedSince = ts;
  readMultiRegionSet(v as Record<string, unknown>, r, rec);
  const params: unknown = (v as Record<string, unknown>).ImportParameters;
  if (params !== undefined) {
    if (origin !== 'EXTERNAL') r.fail('ImportParameters', 'is only for keys with Origin EXTERNAL');
    if (!Array.isArray(params)) r.fail('ImportParameters', 'must be a list');
    const sets = (params as unknown[]).map((p, j) => importParametersFromJson(p, `${where}.ImportParameters[${j}]`));
    if (new Set(sets.map((p) => p.id)).size !== sets.length) r.fail('ImportParameters', 'holds an Id twice');
    if (sets.length) rec.importParameters = sets;
  }
  const pendingJson: unknown = (v as Record<string, unknown>).PendingRotationKeyMaterial;
  if (pendingJson !== undefined) {
    if (origin !== 'EXTERNAL' || !symmetric) r.fail('PendingRotationKeyMaterial', 'is only for symmetric keys with Origin EXTERNAL');
    const p = materialFromJson(pendingJson, `${where}.PendingRotationKeyMaterial`);
    if (p.importState === 'PENDING_IMPORT') r.fail('PendingRotationKeyMaterial', 'must be imported material');
    if (material.some((m) => m.id === p.id)) r.fail('PendingRotationKeyMaterial', 'repeats a KeyMaterialId of KeyMaterial');
    rec.pendingRotation = p;
  }
  return rec;
}

/**
 * PrimaryRegion and ReplicaRegions (keys/multi-region.ts): both or neither, on multi-Region keys
 * only; Regions of the key's partition, sorted, none twice, the key's own Region among them.
 */
function readMultiRegionSet(o: Record<string, unknown>, r: Reader, rec: KeyRecord): void {
  if (o.PrimaryRegion === undefined && o.ReplicaRegions === undefined) return;
  if (!rec.multiRegion) r.fail('PrimaryRegion', 'is only for a multi-Region key');
  const partition = rec.arn.split(':')[1];
  const inPartition = (s: string) => isRegionName(s) && keyArn(s, rec.accountId, rec.keyId).split(':')[1] === partition;
  const primary = r.str('PrimaryRegion', inPartition);
  const list = o.ReplicaRegions;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && inPartition(x))) r.fail('ReplicaRegions', 'must be a list of Regions of the key\'s partition');
  const replicas = list as string[];
  if (replicas.some((x, i) => i > 0 && !((replicas[i - 1] as string) < x))) r.fail('ReplicaRegions', 'must be sorted, each Region once');
  if (replicas.includes(primary)) r.fail('ReplicaRegions', 'must not hold the PrimaryRegion');
  if (primary !== rec.region && !replicas.includes(rec.region)) r.fail('PrimaryRegion', 'and ReplicaRegions must include the key\'s own Region');
  rec.primaryRegion = primary;
  rec.replicaRegions = [...replicas];
}

const PARAMETER_SET_ID = /^[0-9a-f]{32}$/;

function importParametersFromJson(v: unknown, where: string): ImportParameters {
  const r = new Reader(asObject(v, where), where);
  return {
    id: r.str('Id', (s) => PARAMETER_SET_ID.test(s)),
    wrappingAlgorithm: r.oneOf('WrappingAlgorithm', WRAPPING_ALGORITHMS),
    wrappingKeySpec: r.oneOf('WrappingKeySpec', WRAPPING_KEY_SPECS),
    privateKey: r.bytes('PrivateKey'),
    publicKey: r.bytes('PublicKey'),
    validTo: r.date('ParametersValidTo'),
  };
}
